"""Pausing Python's cyclic garbage collector around bulk work.

Loading and auditing a large menu allocates millions of objects and frees
almost none; the cyclic collector would rescan them again and again (half the
time on a 100,000-node menu, quadratic on a big dialplan).  Nothing ivraudit
builds forms cycles that need collecting, and the collector is back on (if it
was on) as soon as the work is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the enclosed block with the cyclic collector off (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
