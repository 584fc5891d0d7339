"""The garbage collector's settings for a pipeline process.

A document allocates tens of thousands of small objects (words, cues, spans, decoded
records), almost none of them in reference cycles; with Python's default the
collector runs every 700 net allocations, and every tenth time also walks the older
objects, the spaCy model's among them. A process that processes documents (a run's
workers, the run itself with ``--jobs 1``, the run's own process while it assembles
many documents, and tagging alone in ``bench/run.py``, so that the baseline is
measured the same way) calls ``settle`` once: young objects are then collected every
50,000 allocations. What cycles there are are still collected, less often (a few MB
more at most between collections).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def settle() -> None:
    """Collect young objects every ``YOUNG_THRESHOLD`` allocations (not 700)."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)
