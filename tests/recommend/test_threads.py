"""A recommender puts BLAS on one thread for the whole process."""

import threading

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from paperwire.recommend import Recommender


def blas_threads() -> set[int]:
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def test_a_recommender_puts_blas_on_one_thread_for_every_thread(store):
    assert np.ones(2) @ np.ones(2) == 2.0  # numpy's BLAS is loaded
    with threadpool_limits(2, user_api="blas"):  # as a process on 2 cores starts
        assert blas_threads() == {2}
        Recommender(store)
        seen: list[set[int]] = []
        worker = threading.Thread(target=lambda: seen.append(blas_threads()))  # a request's thread
        worker.start()
        worker.join(10)
        assert blas_threads() == {1} and seen == [{1}]
