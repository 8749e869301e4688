"""``python -m efttheory conflict ...``."""

from efttheory.__main__ import main


def test_two_group_prints_golden_threshold(capsys):
    assert main(["conflict", "two-group"]) == 0
    out = capsys.readouterr().out
    assert "0.6133167268283227" in out
    assert "inspired by Park & Tegmark" in out
    assert "T attacks simultaneous" in out


def test_many_group_prints_equilibria(capsys):
    assert main(["conflict", "many-group", "--selection", "pessimistic"]) == 0
    out = capsys.readouterr().out
    assert "supporters [1, 1, 1]" in out and "supporters [0, 0, 0]" in out
    assert "sigma = 0.246696540057" in out


def test_bad_parameter_exits_with_message(capsys):
    assert main(["conflict", "two-group", "--delta", "1.5"]) == 2
    assert "delta must lie in" in capsys.readouterr().err


def test_every_option_has_help_text(capsys):
    import re

    import pytest

    for model in ("two-group", "many-group"):
        with pytest.raises(SystemExit):
            main(["conflict", model, "--help"])
        text = capsys.readouterr().out
        options = set(re.findall(r"^  (--[\w-]+)", text, flags=re.M))
        assert len(options) >= 10, (model, options)
        for option in options:
            # argparse prints "--opt METAVAR   help" on one line, or the help on the next line
            line = re.search(rf"^  {re.escape(option)}\b[^\n]*(\n {{10,}}\S[^\n]*)?", text, flags=re.M).group(0)
            metavar = r"( (\{[^}]*\}|[A-Z_]+)( \[[A-Z_]+ \.\.\.\])?)?"
            after = re.sub(rf"^  {re.escape(option)}{metavar}", "", line).strip()
            assert after, f"{model} {option} has no help text"


def test_closed_output_pipe_stops_quietly(run_into_closed_pipe):
    proc = run_into_closed_pipe("efttheory", "conflict", "many-group")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr


def test_extreme_decisiveness_runs(capsys):
    assert main(["conflict", "two-group", "--r", "1e4"]) == 0
    assert "p_1 = 1   p_0 = 0   pi = 0" in capsys.readouterr().out
    assert main(["conflict", "many-group", "--r", "2000"]) == 0
    assert "P(threat conquers all) = 1;" in capsys.readouterr().out


def test_support_tie_reported_consistently(capsys):
    # c = F's willingness to pay in base case B0, exactly: ties go to support and simultaneous attack
    assert main(["conflict", "two-group", "--c", "1.7226830769230772"]) == 0
    out = capsys.readouterr().out
    assert "F supports C: yes" in out
    assert "T attacks simultaneous; F supports;" in out


def test_too_many_groups_refused_before_any_output(capsys):
    assert main(["conflict", "many-group", "--s", *["1"] * 26]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--s must list at most 16 groups" in captured.err


def test_two_group_prints_the_efficacy_without_cancellation(capsys):
    # a weak threat: p_1 and p_0 both round to 1, so p_1 - p_0 keeps only a few correct digits
    # (7.500666754e-13); the efficacy from the complements is 7.5e-13 to all printed digits
    from efttheory.games import DC2Params, solidarity_efficacy

    assert main(["conflict", "two-group", "--s-T", "1e-6"]) == 0
    out = capsys.readouterr().out
    dp = solidarity_efficacy(DC2Params(s_C=1, s_F=1, s_T=1e-6, r=2, c=0.8, L_F=10, q=0.8, tau=2, delta=0.9,
                                       gamma=0.5))
    assert f"efficacy dp = {dp:.10g}\n" in out
    assert "efficacy dp = 7.5e-13\n" in out
