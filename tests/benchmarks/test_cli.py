"""``python -m benchmarks``."""


def test_cli_into_a_closed_pipe_stops_quietly(run_into_closed_pipe, tmp_path):
    proc = run_into_closed_pipe("benchmarks", "--quick", "--only", "equilibria", "--out", str(tmp_path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr
