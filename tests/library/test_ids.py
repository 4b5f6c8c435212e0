"""arXiv ids and DOIs found in citation fields."""

import pytest

from paperwire.library.ids import arxiv_ids_in, bare_arxiv_id, normal_doi


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("arXiv:2503.11677 [cs]", ["2503.11677"]),
        ("arXiv preprint arXiv:hep-th/9901001", ["hep-th/9901001"]),
        ("http://arxiv.org/abs/1706.03762v5", ["1706.03762"]),
        ("https://arxiv.org/pdf/2503.11677.pdf", ["2503.11677"]),
        ("https://doi.org/10.48550/arXiv.2503.11677", ["2503.11677"]),
        ("ARXIV math.GT/0309136", ["math.GT/0309136"]),
        ("arxiv:MATH.GT/0309136", ["math.GT/0309136"]),
        ("Journal of Things 12(3), 2019", []),
        ("see 2503.11677 somewhere", []),  # a bare number in free text is not trusted
    ],
)
def test_arxiv_ids_in_text(text, ids):
    assert arxiv_ids_in(text) == ids


def test_bare_ids_and_dois():
    assert bare_arxiv_id("arXiv:2503.11677v2") == "2503.11677"
    assert bare_arxiv_id("hep-th/9901001") == "hep-th/9901001"
    assert bare_arxiv_id("not an id") is None
    assert normal_doi("https://doi.org/10.1145/3292500.3330701") == "10.1145/3292500.3330701"
    assert normal_doi("doi: 10.1000/ABC.") == "10.1000/abc"
    assert normal_doi("http://dx.doi.org/10.1000/X") == "10.1000/x"
    assert normal_doi("ISBN 978-1") is None
