"""The garbage collector, tuned for a scan: what was loaded to run it is set aside, and the
young generation is collected less often.

A page's analysis makes thousands of small objects (References, tuples, findings) that live
until the page is done, and almost none of them are in reference cycles. With CPython's
defaults a young collection runs every 700 allocations, and every so often an old one
traverses every object alive, the loaded modules included. ``settle()`` freezes what is
alive when it is called (those objects are never traversed again: they live as long as the
process anyway) and collects the young generation every 10,000 allocations instead. The
CLI settles once its commands are loaded; an analysis worker once it holds the policy and
scope and has read the public suffix list (a table of 10,000 suffixes, built on first use).
Cycles are still collected; a page's garbage that is not in a cycle is freed at once, as
always, by reference counting.
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # allocations between two collections of the young generation


def settle() -> None:
    """Set aside what is alive now and collect the young generation less often (never more
    often than the process was already set to; a collector turned off stays off)."""
    gc.freeze()
    young, middle, old = gc.get_threshold()
    if young:
        gc.set_threshold(max(young, YOUNG), middle, old)
