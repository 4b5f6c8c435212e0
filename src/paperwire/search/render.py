"""Search results as JSON, shared by the CLI and the API so that both say the same thing."""

from __future__ import annotations

from paperwire.search.engine import Hit, Results


def hit_json(hit: Hit) -> dict:
    p = hit.paper
    return {
        "id": p.id,
        "title": p.title,
        "authors": p.authors,
        "categories": p.categories,
        "published": p.published and p.published.isoformat(),
        "announced": p.announced and p.announced.isoformat(),
        "score": hit.score,
        "keyword_score": hit.keyword,
        "semantic_score": hit.semantic,
        "pinned": hit.pinned,
    }


def results_json(results: Results) -> dict:
    q, f = results.query, results.query.filters
    return {
        "query": {
            "text": q.raw,
            "words": q.words,
            "phrases": q.phrases,
            "excluded": q.excluded,
            "filters": {
                "categories": f.categories,
                "authors": f.authors,
                "from": f.date_from and f.date_from.isoformat(),
                "until": f.date_until and f.date_until.isoformat(),
                "date_field": f.date_field,
            },
        },
        "did_you_mean": results.did_you_mean,
        "mode": results.mode,
        "semantic": results.semantic_used,
        "offset": results.offset,
        "limit": results.limit,
        "total": results.total,
        "results": [hit_json(h) for h in results.hits],
        "timings_ms": results.timings_ms,
        "semantic_coverage": results.coverage
        and {
            "embedded": results.coverage.embedded,
            "papers": results.coverage.papers,
            "note": results.coverage.note,
        },
    }
