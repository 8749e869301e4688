import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from validation.__main__ import build_parser, main
from validation.check import Check, Outcome, format_value
from validation.registry import AREAS, CheckSpec, check
from validation.report import markdown_report, summary_counts, text_table, write_outputs
from validation.runner import RunContext, run_checks


def _passing(ctx):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    return Outcome(predicted=1.0, measured=1.05, tolerance="|x - 1| <= 0.1", status="pass",
                   reason="close", figure=fig, details={"array": np.arange(3)})


def _deviating(ctx):
    return Outcome(predicted=1.0, measured=0.2, tolerance="|x - 1| <= 0.1", status="deviation",
                   reason="paper claim not reproduced", finding="measured 0.2, paper 1")


def _crashing(ctx):
    raise RuntimeError("boom")


def _specs():
    return [
        CheckSpec("lottery", "passing", "claim a", "[ours]", 1.0, _passing),
        CheckSpec("lottery", "deviating", "claim b", "[paper]", None, _deviating),
        CheckSpec("lottery", "crashing", "claim c", "[ours]", None, _crashing),
    ]


def test_run_checks_records_status_figure_and_crash(tmp_path):
    rows = run_checks(_specs(), RunContext(quick=True, seed=0), tmp_path)
    assert [r.status for r in rows] == ["pass", "deviation", "fail"]
    assert rows[0].figure == "figures/lottery/passing.png"
    assert (tmp_path / rows[0].figure).stat().st_size > 0
    assert rows[0].paper_value == 1.0
    assert "boom" in rows[2].reason and rows[2].figure is None
    assert all(r.seconds >= 0 for r in rows)


def test_outputs_are_written_and_readable(tmp_path):
    rows = run_checks(_specs(), RunContext(quick=True, seed=0), tmp_path)
    write_outputs(rows, {"quick": True, "seed": 0, "seconds": 1.0}, tmp_path)
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["summary"] == {"pass": 1, "fail": 1, "deviation": 1, "skip": 0}
    assert data["checks"][0]["details"]["array"] == [0, 1, 2]
    report = (tmp_path / "report.md").read_text()
    assert "## Findings" in report and "measured 0.2, paper 1" in report
    assert "## Failures" in report and "boom" in report
    table = text_table(rows)
    assert table.splitlines()[0].split()[:3] == ["area", "check", "paper"]
    assert len(table.splitlines()) == 2 + len(rows)


def test_skip_is_never_counted_as_pass():
    row = Check("lottery", "x", "c", None, None, None, "", "skip", "data absent", 0.0, None, "")
    counts = summary_counts([row])
    assert counts["pass"] == 0 and counts["skip"] == 1
    assert "## Skipped" in markdown_report([row], {"seed": 0})


def test_outcome_rejects_unknown_status():
    with pytest.raises(ValueError, match="status"):
        Outcome(predicted=None, measured=None, tolerance="", status="ok")


def test_register_rejects_unknown_area_and_duplicates(monkeypatch):
    import validation.registry as registry

    monkeypatch.setattr(registry, "_REGISTRY", {})
    with pytest.raises(ValueError, match="area"):
        check("nonexistent", "x", claim="", source="")
    register = check("lottery", "__test_duplicate__", claim="", source="")
    register(_passing)
    with pytest.raises(ValueError, match="twice"):
        check("lottery", "__test_duplicate__", claim="", source="")(_passing)


def test_context_streams_are_stable_and_distinct():
    ctx = RunContext(seed=3)
    assert ctx.int_seed("a") == RunContext(seed=3).int_seed("a")
    assert ctx.int_seed("a") != ctx.int_seed("b")
    assert ctx.int_seed("a") != RunContext(seed=4).int_seed("a")


def test_format_value():
    assert format_value(None) == "—"
    assert format_value(1.0) == "1"
    assert format_value(1.23456e-7) == "1.235e-07"
    assert format_value(True) == "yes"


def test_cli_lists_checks(capsys):
    assert main(["--list", "--only", "lottery"]) == 0
    out = capsys.readouterr().out
    assert "lottery.silu_exponent_reference" in out


def test_cli_list_into_a_closed_pipe_stops_quietly(run_into_closed_pipe):
    proc = run_into_closed_pipe("validation", "--list")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr


def test_cli_rejects_unknown_area():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--only", "nonsense"])
    assert set(AREAS) >= {"lottery"}


def test_cli_chinchilla_csv_option(tmp_path, monkeypatch, capsys):
    from validation.resource import CSV_ENV, chinchilla_csv_candidates

    monkeypatch.delenv(CSV_ENV, raising=False)
    assert main(["--chinchilla-csv", str(tmp_path / "absent.csv"), "--list", "--only", "resource"]) == 2
    assert "--chinchilla-csv must name an existing file" in capsys.readouterr().err
    points = tmp_path / "points.csv"
    points.write_text("Model Size,Training FLOP,loss\n1e9,6e19,2.5\n")
    assert main(["--chinchilla-csv", str(points), "--list", "--only", "resource"]) == 0
    assert chinchilla_csv_candidates()[0] == points.resolve()  # tried first, before the shared copy
