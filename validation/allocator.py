"""Keep the reference trainers' per-step temporaries on the heap (glibc processes).

A training step of the NumPy reference networks allocates a dozen arrays of 0.1-0.3 MB.
Above glibc's mmap threshold each one is a fresh mapping whose pages fault in again on
every step, which cost ~25 % of a GenEFT 3x50 run. Raising the mmap and trim thresholds
keeps them in the reused heap. Only where memory comes from changes, not any arithmetic,
so runs stay bit-identical. The sweep runner applies it in every process that runs points.
"""

from __future__ import annotations

import ctypes
import functools
import sys

__all__ = ["keep_temporaries_on_heap"]


@functools.lru_cache(maxsize=1)
def keep_temporaries_on_heap() -> bool:
    """Raise glibc's mmap and trim thresholds once per process (see the module docstring).

    Returns True when both settings took effect, False where glibc is absent.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # glibc <malloc.h>
        return bool(libc.mallopt(m_mmap_threshold, 32 * 2**20)) and bool(libc.mallopt(m_trim_threshold, 2**28))
    except (OSError, AttributeError):
        return False
