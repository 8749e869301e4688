"""Theory against experiment: one module per area, run with ``python -m validation``.

``validation`` joins the two halves of the project: it runs a reference
experiment from ``models``, evaluates the theory from ``efttheory`` and reports
both, with the paper's own number beside them (see DESIGN.md, "The validation
contract").
"""

from validation.check import Check, Outcome
from validation.registry import AREAS, check

__all__ = ["AREAS", "Check", "Outcome", "check"]
