"""Background indexing runs at the lowest CPU priority, so that requests come first on a busy host.

On Linux a thread's niceness is its own (a thread id is a process id to setpriority), and a thread
starts with its creator's: a thread that lowers itself lowers every thread it starts later, which is
how onnxruntime's and tantivy's threads started by the indexer end up low too. Lowering is allowed
without privileges; raising it back is not, so only threads that do nothing but background work
call `lower_this_thread`. Elsewhere it does nothing and says so at debug level.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger("paperwire.search")

LOWEST = 19
# Benchmark-only switch: benchmarks/web_load.py sets it to False in a server it spawns to measure the
# indexer at normal priority beside the default. Not a setting: nothing else should turn it off.
ENABLED = True


def lower_this_thread() -> bool:
    """Give the calling thread (and the threads it starts from now on) the lowest CPU priority;
    whether it was lowered."""
    if not ENABLED:
        return False
    if not sys.platform.startswith("linux"):  # elsewhere niceness belongs to the whole process
        log.debug("background indexing runs at normal priority: per-thread priority is Linux only")
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST)
    except OSError as exc:  # a sandbox that forbids it: the work still gets done
        log.debug("background indexing runs at normal priority: %s", exc)
        return False
    return True


def thread_priority(native_id: int | None = None) -> int:
    """A thread's niceness (the calling thread's by default): 0 normally, LOWEST once lowered."""
    return os.getpriority(os.PRIO_PROCESS, native_id or threading.get_native_id())
