"""The Python blocks of the documentation run against the current API.

Readers copy these blocks, so each page's blocks run in order, in one namespace, as a
reader would paste them. Where a block calls the library on the reader's own data
(``H1``, ``w, b, v``, ...), the test supplies small stand-ins of the right shapes;
blocks that need a file or a framework from outside the project are listed in
``NOT_RUN`` with the reason. A one-line expression whose comment starts with a number
or a list of numbers (``f(x)  # 0.447`` or ``# [1.70e-03, 9.52e-04]``) must evaluate to
those numbers, to the digits shown.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^([ \t]*)```python\n(.*?)^[ \t]*```", flags=re.S | re.M)

# (page, block index) -> why the test does not run it.
NOT_RUN = {
    ("resource.md", 1): "reads the reader's copy of Epoch AI's CSV, which the project does not ship",
    ("synthesis.md", 2): "converts a PyTorch model, an optional dependency",
    ("synthesis.md", 3): "continues the PyTorch conversion above",
}


def _silu(z):
    return z / (1.0 + np.exp(-z))


def _stand_ins(page: str) -> dict:
    """Small stand-ins for the names a page leaves to the reader's own data."""
    rng = np.random.default_rng(0)
    if page == "lottery.md":
        x_grid = np.linspace(-2.0, 2.0, 41)
        widths = np.array([8, 16, 32, 64])
        return {
            "x_grid": x_grid,
            "ticket_outputs": x_grid**2 + 1e-3 * rng.standard_normal((5, x_grid.size)),
            "w": np.array([1.0, -1.0, 0.5]),
            "b": np.array([0.2, 0.2, -1.0]),
            "v": np.array([0.3, 0.3, 2.0]),
            "test_mse_of_many_nets": np.concatenate(
                [np.logspace(-3.95, -3.8, 40), np.logspace(-2.2, -2.05, 60)]
            ),
            "widths": widths,
            "losses": np.outer(1.0 / widths, [0.9, 1.0, 1.1]),
        }
    if page == "complexity.md":
        H1 = rng.standard_normal((20, 4))
        W2, b2 = rng.standard_normal((4, 8)), rng.standard_normal(8)
        W3, b3 = rng.standard_normal((8, 3)), rng.standard_normal(3)
        return {
            "H1": H1, "W2": W2, "b2": b2, "W3": W3, "b3": b3,
            "model_logits_from_h1": lambda h: _silu(h @ W2 + b2) @ W3 + b3,
        }
    return {}


def _blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [textwrap.dedent(body) for _, body in BLOCK.findall(text)]


PAGES = sorted(p.name for p in DOCS.glob("*.md") if _blocks(p.name))


def test_pages_with_code_are_found():
    # The parametrized test below would pass vacuously if discovery found nothing.
    assert {"tour.md", "lottery.md", "games.md", "synthesis.md"} <= set(PAGES)


def test_every_not_run_entry_names_a_block():
    for page, index in NOT_RUN:
        assert index < len(_blocks(page)), f"NOT_RUN names block {index} of {page}, which has fewer"


# A comment that quotes a value: a number or a list of numbers (bracketed or not) first,
# then the end of the line or one of , ; : = ("# 3 equilibria" describes, it does not quote).
NUMBER = r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
NUMBERS = rf"{NUMBER}(?:\s*,\s*{NUMBER})*"
QUOTED = re.compile(rf"#\s*(\[\s*{NUMBERS}\s*\]|{NUMBERS})(?=\s*(?:$|[,;:=]))")


def _quoted_value(code: str, node: ast.stmt):
    """The numbers quoted after a one-line expression, or None."""
    if not isinstance(node, ast.Expr) or node.lineno != node.end_lineno:
        return None
    line = code.splitlines()[node.lineno - 1]
    match = QUOTED.search(line, pos=len(ast.get_source_segment(code, node)))
    if match is None or line[:match.start()].count("#"):
        return None
    return re.findall(NUMBER, match.group(1))


def _check_quoted(value, quoted: list[str], source: str, text: str):
    shown = [Decimal(q) for q in quoted]
    got = np.ravel(np.asarray(value, dtype=float))
    if len(shown) == 1:  # one number quoted for an array: every entry (e.g. "# 1" for ones)
        shown = shown * got.size
    assert got.size == len(shown), f"{source}: `{text}` gives {got.size} values, the comment quotes {len(shown)}"
    for g, d in zip(got, shown):
        # half a unit of the last digit shown; never tighter than float64 round-off
        tol = max(0.5 * 10.0 ** d.as_tuple().exponent * (1 + 1e-9), 1e-12 * abs(float(d)))
        assert abs(g - float(d)) <= tol, (
            f"{source}: `{text}` gives {float(g)!r}, the comment quotes {d} (to +-{tol:g})")


@pytest.mark.parametrize("page", PAGES)
def test_page_code_runs(page):
    namespace = {"__name__": f"docs_{page}"} | _stand_ins(page)
    ran = 0
    for index, code in enumerate(_blocks(page)):
        if (page, index) in NOT_RUN:
            continue
        source = f"{page}, python block {index}"
        for node in ast.parse(code, filename=source).body:
            text = ast.get_source_segment(code, node)
            quoted = _quoted_value(code, node)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    if quoted is None:
                        exec(compile(ast.Module([node], []), source, "exec"), namespace)
                    else:
                        value = eval(compile(ast.Expression(node.value), source, "eval"), namespace)
            except Exception as exc:  # report which statement broke, with the error
                pytest.fail(f"{source}: `{text}` raised {type(exc).__name__}: {exc}")
            if quoted is not None:
                _check_quoted(value, quoted, source, text)
        ran += 1
    assert ran > 0


def test_quoted_values_are_found():
    # The value check above would pass vacuously if no comment matched.
    found = []
    for page in PAGES:
        for index, code in enumerate(_blocks(page)):
            if (page, index) not in NOT_RUN:
                found += [(page, q) for node in ast.parse(code).body if (q := _quoted_value(code, node))]
    assert len(found) >= 8, found
