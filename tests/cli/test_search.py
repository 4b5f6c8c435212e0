"""`paperwire search` and `paperwire index` as subprocesses, including a kill in the middle of indexing."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from paperwire.search.indexer import BATCH
from paperwire.search.model import ModelInfo
from tests.support.paths import PAPERWIRE_BIN
from tests.support.search_corpus import CORPUS


def corpus_file(write_jsonl, papers=CORPUS):
    from paperwire.ingest.formats import export_record

    return write_jsonl("corpus.jsonl", [export_record(p) for p in papers])


def test_import_then_search_by_keyword_at_once(run_cli, write_jsonl):
    r = run_cli("import", "-q", corpus_file(write_jsonl))
    assert r.returncode == 0 and "keyword index: 12 papers applied" in r.stderr
    r = run_cli("search", "graph", "-survey", "--limit", "5")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("  1. 2501.00001  Graph neural networks for molecules")
    assert "2501.00002" not in r.stdout
    assert "run `paperwire index` to search by meaning" in r.stderr


def test_index_then_search_json_with_filters(run_cli, write_jsonl):
    run_cli("import", "-q", corpus_file(write_jsonl))
    r = run_cli("index", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("12 papers embedded (") and "12 embedded in all" in r.stdout
    r = run_cli("index", "-q")
    assert r.stdout.startswith("0 papers embedded")
    r = run_cli(
        "search", "pets at home", "--json", "--category", "q-bio.PE", "--from", "2025-03-01", "-n", "3"
    )
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["semantic"] is True
    assert {x["id"] for x in body["results"]} <= {"2503.00007", "2503.00008"}
    assert body["results"][0]["semantic_score"] > 0.3
    assert body["query"]["filters"] == {
        "categories": ["q-bio.PE"],
        "authors": [],
        "from": "2025-03-01",
        "until": None,
        "date_field": "announced",
    }
    r = run_cli("search", "2503.00009v2")
    assert "2503.00009" in r.stdout.splitlines()[0] and "[exact id]" in r.stdout.splitlines()[1]


def test_bad_search_input_is_one_line_and_nonzero(run_cli, write_jsonl):
    run_cli("import", "-q", corpus_file(write_jsonl))
    r = run_cli("search", "graph", "--limit", "0")
    assert r.returncode == 1 and r.stderr.strip() == "Error: limit must be between 1 and 100, not 0"
    r = run_cli("search", "x" * 10_000)
    assert r.returncode == 1 and "limit is 1,000" in r.stderr and len(r.stderr.splitlines()) == 1
    r = run_cli("search", "graph", "--from", "yesterday")
    assert r.returncode == 2 and "'--from': 'yesterday' is not a YYYY-MM-DD date" in r.stderr
    r = run_cli("search", "   ")
    assert r.returncode == 0 and r.stderr.strip() == "no results"


def test_embeddings_of_another_model_are_refused_until_rebuilt(run_cli, write_jsonl, cli_env):
    run_cli("import", "-q", corpus_file(write_jsonl))
    assert run_cli("index", "-q").returncode == 0
    db = sqlite3.connect(f"{cli_env['PAPERWIRE_DATA_DIR']}/paperwire.db")
    other = ModelInfo("bge-small-en-v1.5", "elsewhere", "v9", 384, "title only").to_json()
    with db:
        db.execute("UPDATE search_meta SET value = ? WHERE name = 'embedding_model'", (other,))
    db.close()
    for args in (("search", "pets"), ("index", "-q")):
        r = run_cli(*args)
        assert r.returncode == 1, r
        assert "built with bge-small-en-v1.5" in r.stderr and "run `paperwire index --rebuild`" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    r = run_cli("index", "--rebuild", "-q")
    assert r.returncode == 0 and r.stdout.startswith("12 papers embedded")
    r = run_cli("search", "canine companions", "--json", "--mode", "semantic")
    assert json.loads(r.stdout)["results"][0]["id"] in ("2503.00007", "2503.00008")


def test_a_killed_index_run_resumes_where_it_stopped(run_cli, write_jsonl, cli_env):
    from tests.support.search_corpus import paper

    papers = [
        paper(
            f"2505.{i:05d}",
            f"Study number {i} of topic {i % 17}",
            f"We measure effect {i} in setting {i % 5}.",
        )
        for i in range(1, 1201)
    ]
    assert run_cli("import", "-q", corpus_file(write_jsonl, papers)).returncode == 0
    db_path = f"{cli_env['PAPERWIRE_DATA_DIR']}/paperwire.db"
    proc = subprocess.Popen(
        [PAPERWIRE_BIN, "index", "-q"], env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    done = 0
    while done < BATCH and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            with sqlite3.connect(db_path, timeout=1) as db:
                done = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
        except sqlite3.OperationalError:
            pass
    assert proc.poll() is None, "indexing ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db_path) as db:
        kept = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    assert 0 < kept < len(papers) and kept % BATCH == 0  # whole batches, nothing half-written
    r = run_cli("index", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{len(papers) - kept} papers embedded")  # only what was left
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*), count(DISTINCT paper_id) FROM embeddings").fetchone() == (
            len(papers),
            len(papers),
        )
    r = run_cli("search", "study number 77 of topic 9", "--json", "--mode", "semantic")
    assert json.loads(r.stdout)["results"][0]["id"] == "2505.00077"


def test_usearch_and_onnxruntime_load_in_either_order():
    # usearch 2.26.6 crashed the interpreter when onnxruntime was imported after it (pyproject pins it).
    for order in ("usearch.index, onnxruntime", "onnxruntime, usearch.index"):
        r = subprocess.run([sys.executable, "-c", f"import {order}"], capture_output=True, timeout=60)
        assert r.returncode == 0, (order, r.returncode, r.stderr[-500:])


def test_an_arxiv_id_in_any_form_and_did_you_mean(backend, run_cli, write_jsonl):
    run_cli("import", "-q", corpus_file(write_jsonl))
    for form in ("2503.00009", "arXiv:2503.00009v2", " ARXIV:2503.00009 "):
        r = run_cli("search", form)
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines()[0].startswith("  1. 2503.00009  ") and "  2. " not in r.stdout
    r = run_cli("search", "quantun", "eror", "--mode", "keyword")
    assert r.stdout.startswith("  1. 2503.00009  ") and "did you mean: quantum error\n" in r.stderr
    assert "did you mean" not in run_cli("search", "quantum", "error").stderr


# What only search by meaning, the web app or comments need: importing them cost a keyword search
# about a third of its time (docs/benchmarks.md, "CLI search").
NOT_FOR_KEYWORDS = ("usearch", "onnxruntime", "tokenizers", "markdown_it", "nh3", "tqdm", "fastapi", "jinja2")


def test_a_keyword_search_imports_only_what_it_needs(backend, run_cli, write_jsonl, cli_env, tmp_path):
    run_cli("import", "-q", corpus_file(write_jsonl))
    run_cli("index", "-q")  # embeddings exist: a hybrid search would load the model and the vectors
    code = (
        "import sys\nfrom paperwire.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, "search", "--mode", "keyword", "graph"],
        env=cli_env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.stdout.startswith("  1. 2501.00001  "), r.stderr
    loaded = set(r.stderr.split("\n")[-2].split())
    unneeded = set(NOT_FOR_KEYWORDS) | ({"numpy"} if backend == "sqlite" else set())  # pgvector needs it
    assert "tantivy" in loaded and not loaded & unneeded, loaded & unneeded


@pytest.mark.parametrize("backend", ["postgres"])
def test_on_postgresql_a_search_by_meaning_loads_no_vector_index(
    backend, run_cli, write_jsonl, cli_env, tmp_path
):
    # pgvector answers meaning; feedback and related papers decode stored vectors with numpy alone
    run_cli("import", "-q", corpus_file(write_jsonl))
    run_cli("index", "-q")
    code = (
        "import sys\nfrom paperwire.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, "search", "--json", "graph", "networks"],  # short: feedback runs
        env=cli_env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "feedback" in json.loads(r.stdout)["timings_ms"], r.stderr
    loaded = set(r.stderr.split("\n")[-2].split())
    assert "onnxruntime" in loaded and "usearch" not in loaded


def test_a_search_saves_the_vectors_it_had_to_add(run_cli, write_jsonl, tmp_path):
    run_cli("import", "-q", corpus_file(write_jsonl))
    run_cli("index", "-q")
    folder = tmp_path / "cli-data" / "search"
    (folder / "vectors.json").unlink()  # a vector file that lags the database: every vector to add
    (folder / "vectors.usearch").unlink()
    r = run_cli("search", "pets at home", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["semantic"] is True, r.stderr
    assert json.loads((folder / "vectors.json").read_text())["after"][1] > 0  # saved: the next adds none
    before = (folder / "vectors.usearch").stat().st_mtime_ns
    assert run_cli("search", "dogs", "--json").returncode == 0
    assert (folder / "vectors.usearch").stat().st_mtime_ns == before
