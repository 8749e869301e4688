"""The README's 30-second tour runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def tour_code() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A 30-second tour", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert match is not None, "README tour has no python block"
    return match.group(1)


def test_readme_tour_runs_and_matches_its_comments():
    out = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(tour_code(), str(README), "exec"), namespace)
    lines = out.getvalue().splitlines()
    assert len(lines) == 5
    # comment: 1.0156e-3
    assert float(lines[0]) == pytest.approx(1.0156e-3, rel=1e-4)
    # comment: the CLT exponent is 1.0 with zero bias
    assert float(lines[1]) == pytest.approx(1.0, abs=1e-12)
    # the RK4 trajectory ends at cos(10)
    y_end = namespace["trajectory"].y[-1]
    assert y_end[0] == pytest.approx(np.cos(10.0), abs=1e-8)
