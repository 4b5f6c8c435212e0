"""Authors' names split for citations, and citation keys."""

import pytest

from paperwire.library.names import citation_key, split_name, unique_keys


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ada Lovelace", {"family": "Lovelace", "given": "Ada"}),
        ("José Ángel García-López", {"family": "García-López", "given": "José Ángel"}),
        ("Ludwig van Beethoven", {"family": "van Beethoven", "given": "Ludwig"}),
        ("Martin Luther King Jr.", {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        ("Lovelace, Ada", {"family": "Lovelace", "given": "Ada"}),
        ("King, Jr., Martin", {"family": "King", "given": "Martin", "suffix": "Jr."}),
        ("OpenAI", {"literal": "OpenAI"}),
        ("The ATLAS Collaboration", {"literal": "The ATLAS Collaboration"}),
        ("  Grace   Hopper ", {"family": "Hopper", "given": "Grace"}),
    ],
)
def test_names_split_sensibly(name, parts):
    assert split_name(name) == parts


def test_keys_are_scholar_style_and_unique():
    assert citation_key(["Kurt Gödel"], 2025, "On the graph networks", "x") == "godel2025graph"
    assert citation_key([], None, "", "paper2503") == "paper2503"
    assert citation_key(["OpenAI"], 2024, "GPT-4 Technical Report", "x") == "openai2024gpt"
    assert unique_keys(["a2025x", "a2025x", "b", "a2025x"]) == ["a2025x", "a2025xa", "b", "a2025xb"]
