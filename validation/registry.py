"""Registry of validation checks, one module per area.

A check is a function ``fn(context) -> Outcome`` registered with :func:`check`.
Areas are imported lazily by name from ``validation.<area>``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["AREAS", "CheckSpec", "check", "checks_for", "load_area"]

#: Areas with a validation module, in report order (DESIGN.md's table names them).
AREAS: tuple[str, ...] = ("lottery", "generalization", "resource", "complexity", "synthesis", "games")

_REGISTRY: dict[str, list["CheckSpec"]] = {}


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its identity, the paper's claim and the function that runs it."""

    area: str
    name: str
    claim: str
    source: str
    paper_value: Any
    run: Callable


def check(area: str, name: str, *, claim: str, source: str, paper_value: Any = None):
    """Register ``fn(context) -> Outcome`` as check ``area.name``.

    Parameters
    ----------
    area : str
        One of :data:`AREAS`.
    name : str
        Identifier unique within the area (used for the figure file name).
    claim : str
        One sentence: what the paper (or our theory) predicts.
    source : str
        Paper and figure/table/equation, with its provenance tag.
    paper_value : optional
        What the paper reported, when it reported a number.
    """
    if area not in AREAS:
        raise ValueError(f"area must be one of {AREAS}, got {area!r}")

    def register(fn: Callable) -> Callable:
        specs = _REGISTRY.setdefault(area, [])
        if any(s.name == name for s in specs):
            raise ValueError(f"check {area}.{name} registered twice")
        specs.append(CheckSpec(area, name, claim, source, paper_value, fn))
        return fn

    return register


def load_area(area: str) -> list[CheckSpec]:
    """Import ``validation.<area>`` and return its checks in registration order."""
    if area not in AREAS:
        raise ValueError(f"area must be one of {AREAS}, got {area!r}")
    importlib.import_module(f"validation.{area}")
    return list(_REGISTRY.get(area, []))


def checks_for(areas) -> list[CheckSpec]:
    """All checks of the given areas, in area then registration order."""
    out: list[CheckSpec] = []
    for area in areas:
        out.extend(load_area(area))
    return out
