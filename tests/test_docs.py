"""The documentation builds with warnings treated as errors, and renders math offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

# A page whose formulas must be rendered by MathJax.
MATH_PAGE = "tour.html"


def _require(module: str) -> None:
    pytest.importorskip(
        module,
        reason=f"building the docs needs {module!r}; install the docs tools with pip install -e '.[dev]'",
    )


@pytest.mark.slow
def test_sphinx_build_passes_with_warnings_as_errors(tmp_path):
    for module in ("sphinx", "myst_parser", "furo"):
        _require(module)
    out = tmp_path / "html"
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=DOCS.parent,
    )
    returncode = completed.returncode
    assert returncode == 0, (
        f"sphinx-build exited with {returncode}\n"
        f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
    )

    # MathJax is loaded from the built site itself, never from a CDN.
    html = (out / MATH_PAGE).read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html, flags=re.IGNORECASE)
    assert scripts, f"{MATH_PAGE} loads no MathJax script"
    for src in scripts:
        assert not src.startswith(("http:", "https:", "//")), f"MathJax loaded from the network: {src}"
        assert (out / src).is_file(), f"MathJax script {src} is missing from the build"
