"""store.embeddings on both databases: the vectors a search rescores."""

import numpy as np

from paperwire.search.blobs import from_blobs
from paperwire.storage import EmbeddingRow
from tests.support.recommend_corpus import PAPERS

VECTOR = np.linspace(-1, 1, 384).astype("<f2").tobytes()  # what a 384-d float16 vector is stored as
OTHER = np.linspace(1, -1, 384).astype("<f2").tobytes()


def test_vectors_for_gives_the_stored_vectors_of_the_papers_that_have_one(store):
    store.papers.upsert_papers(PAPERS)
    seq = store.papers.change_seq()
    store.embeddings.save_embeddings(
        [EmbeddingRow("2504.00011", seq, "h", VECTOR), EmbeddingRow("2504.00013", seq, "h", OTHER)]
    )
    # two embedded papers, one paper not embedded, an unknown id, and one id asked twice
    asked = ["2504.00013", "2504.00011", "2504.00012", "9999.99999", "2504.00011"]
    found = store.embeddings.vectors_for(asked)
    assert found == {"2504.00011": VECTOR, "2504.00013": OTHER}
    assert all(type(v) is bytes for v in found.values())
    assert store.embeddings.vectors_for([]) == {}
    matrix = from_blobs([found["2504.00011"], found["2504.00013"]])
    assert matrix.shape == (2, 384) and matrix.dtype == np.float32
    assert np.allclose(matrix[0], np.linspace(-1, 1, 384), atol=1e-3)
    assert from_blobs([]).shape == (0, 0)
