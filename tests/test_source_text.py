"""Source and documentation files hold printable text: no stray control characters.

A docstring written through an escaping layer can turn ``\\alpha`` into BEL + ``lpha``; Sphinx
and ``help()`` then show garbage while every test of the code still passes.
"""

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    path
    for folder in ("efttheory", "validation", "benchmarks", "tests", "docs")
    for pattern in ("*.py", "*.md", "*.rst", "*.cfg", "*.toml")
    for path in (ROOT / folder).rglob(pattern)
    if "_build" not in path.parts
) + [ROOT / "README.md", ROOT / "setup.cfg"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_the_scan_sees_the_package():
    assert len(FILES) > 100 and ROOT / "efttheory" / "__init__.py" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_control_characters(path):
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        match = CONTROL.search(line)
        assert match is None, f"{path.relative_to(ROOT)}:{number}: control character {match.group()!r}"


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_invalid_escape_sequences(path):
    # "\max" in a non-raw docstring compiles with a warning today and will be a SyntaxError later
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
