"""BLAS on one thread in a process that recommends (docs/recommendations.md#the-pool-and-speed).

The model's matrices are small (385 x 385, a few thousand rows), where OpenBLAS's threads gain little
and, on a loaded machine, lose a lot: each threaded call waits for a thread the scheduler has parked.
Measured on 2 cores at load average 4 to 5: a 385 x 385 solve 1.3 ms median but 88 to 175 ms at
times, its eigendecomposition 101 ms median and up to 2.1 s; on one thread 1.1 ms and 13 ms. A web
server gets its parallelism from its request threads and worker processes instead.

The setting is the process's, and it stays, made when the app creates its Recommender (at start-up, on
the main thread): OpenBLAS 0.3.31 was seen to ignore a count asked from another thread once the main
one had set one, so a request thread could neither lower it for itself nor put it back after.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def one_blas_thread() -> None:
    """From now on, BLAS calls in this process run on one thread."""
    threadpool_limits(limits=1, user_api="blas")
