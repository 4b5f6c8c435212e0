"""Fusing keyword and semantic rankings."""

from paperwire.search.fusion import ordered, rrf, weighted


def test_weighted_fusion_scales_each_list_then_mixes():
    keyword = [("a", 20.0), ("b", 10.0), ("c", 0.0)]
    semantic = [("c", 0.9), ("b", 0.5), ("d", 0.1)]
    fused = dict(weighted(keyword, semantic, semantic_weight=0.5))
    assert fused["a"] == 0.5  # best keyword, absent from semantic
    assert fused["c"] == 0.5  # worst keyword, best semantic
    assert fused["b"] == 0.5 * 0.5 + 0.5 * 0.5
    assert fused["d"] == 0.0
    assert weighted([], semantic, 0.5)[0] == ("c", 0.5)


def test_a_paper_found_by_both_sides_beats_one_found_by_one():
    keyword = [("both", 5.0), ("kw", 6.0), ("low", 1.0)]
    semantic = [("sem", 0.8), ("both", 0.79), ("low2", 0.1)]
    assert weighted(keyword, semantic, 0.5)[0][0] == "both"
    assert rrf(keyword, semantic)[0][0] == "both"


def test_ties_are_ordered_by_id_descending():
    assert ordered({"2501.00001": 1.0, "2503.00002": 1.0, "2502.00003": 2.0}) == [
        ("2502.00003", 2.0),
        ("2503.00002", 1.0),
        ("2501.00001", 1.0),
    ]


def test_equal_scores_in_a_list_scale_to_one():
    assert dict(weighted([("a", 3.0), ("b", 3.0)], [], 0.4)) == {"a": 0.6, "b": 0.6}
