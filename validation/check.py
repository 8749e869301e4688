"""The record every validation check returns, and the outcome a check function builds.

A check runs a reference experiment from ``models``, evaluates the theory from
``efttheory`` and reports both beside the paper's own number. The status is one of

``pass``
    the spec's criterion holds;
``fail``
    it does not (the run exits non-zero);
``skip``
    the check could not run (e.g. optional data absent) -- never counted as a pass;
``deviation``
    a reproduction check of a *paper's claim* that our experiment does not confirm,
    where the spec says such a result is a finding. Checks of our own implementation
    can never be deviations.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("pass", "fail", "skip", "deviation")

__all__ = ["Check", "Outcome", "STATUSES", "format_value"]


def format_value(value: Any) -> str:
    """Render a paper/predicted/measured value compactly for tables."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value == 0:
            return "0"
        magnitude = abs(value)
        if 1e-3 <= magnitude < 1e4:
            return f"{value:.4g}"
        return f"{value:.3e}"
    return str(value)


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: the numbers, the verdict and an optional figure.

    Parameters
    ----------
    predicted, measured : float, str or None
        Our theory's number and our experiment's number.
    tolerance : str
        The spec's criterion, stated up front (e.g. ``"|a - 1| <= 0.3"``).
    status : {"pass", "fail", "skip", "deviation"}
    reason : str
        One sentence explaining the verdict with the deciding numbers.
    paper_value : float, str or None, optional
        Overrides the paper value declared with the check, when it depends on the run.
    figure : matplotlib.figure.Figure, optional
        Theory curve against experiment points; saved as PNG by the harness.
    finding : str
        What the result says about the *paper's* claim when that differs from the
        verdict on our own model (e.g. a check that passes because our bias-aware
        model holds, while the paper's CLT prediction is contradicted). Listed under
        "Findings" in the report together with every deviation.
    details : dict
        Extra JSON-serialisable numbers written to ``results.json``.
    """

    predicted: Any
    measured: Any
    tolerance: str
    status: str
    reason: str = ""
    paper_value: Any = None
    figure: Any = None
    finding: str = ""
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass(frozen=True)
class Check:
    """One row of the validation report (the contract of DESIGN.md)."""

    area: str
    name: str
    claim: str
    paper_value: Any
    predicted: Any
    measured: Any
    tolerance: str
    status: str
    reason: str
    seconds: float
    figure: str | None
    source: str
    finding: str = ""
    details: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Check({self.area}.{self.name}: {self.status}, paper={format_value(self.paper_value)}, "
            f"predicted={format_value(self.predicted)}, measured={format_value(self.measured)}, "
            f"tol={self.tolerance!r}, {self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict:
        """JSON-ready dictionary (non-finite floats become strings)."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
