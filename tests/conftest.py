"""Test-suite settings shared by every directory.

Hypothesis runs derandomized by default: each property test draws the same examples
on every run and every machine, so CI cannot flake on a lucky or unlucky draw (a
clean clone has no example database to replay). To explore fresh random examples
locally, run ``EFTTHEORY_HYPOTHESIS_PROFILE=explore pytest``.
"""

import os

from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("EFTTHEORY_HYPOTHESIS_PROFILE", "deterministic"))
