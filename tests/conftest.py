"""Test-suite settings shared by every directory.

Hypothesis runs derandomized by default: each property test draws the same examples
on every run and every machine, so CI cannot flake on a lucky or unlucky draw (a
clean clone has no example database to replay). To explore fresh random examples
locally, run ``EFTTHEORY_HYPOTHESIS_PROFILE=explore pytest``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("EFTTHEORY_HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture
def run_into_closed_pipe():
    """Run ``python -m <args>`` from the repository root, its stdout a pipe nobody reads.

    This is ``python -m ... | head`` after ``head`` has exited. The read end is closed before the
    child starts, so every write fails and the outcome does not depend on timing.
    """

    def run(*args: str) -> subprocess.CompletedProcess:
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            return subprocess.run([sys.executable, "-m", *args], stdout=write_end, stderr=subprocess.PIPE,
                                  text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
        finally:
            os.close(write_end)

    return run
