"""The real `paperwire` console script, run as a subprocess."""

import gzip
import json
import subprocess
from subprocess import PIPE

import pytest

import paperwire
from paperwire.storage.migrate import HEAD
from tests.support.paths import PAPERWIRE_BIN
from tests.support.records import LISTING


def listing(pid: str, **kw) -> dict:
    return {**LISTING, "id": pid, **kw}


def test_version_and_help(run_cli):
    r = run_cli("--version")
    assert r.returncode == 0 and paperwire.__version__ in r.stdout
    r = run_cli("--help")
    assert r.returncode == 0
    for command in ("import", "export", "show", "stats", "migrate", "serve"):
        assert command in r.stdout


def test_import_show_stats_export(run_cli, write_jsonl, tmp_path, backend):
    path = write_jsonl(
        "a.jsonl.gz",
        [listing("2503.11677"), listing("2503.11678", categories=["cs.LG"], primary_category="cs.LG")],
        gz=True,
    )
    r = run_cli("import", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("2 new, 0 updated, 0 unchanged, 0 rejected (")

    r = run_cli("import", path)
    assert r.stdout.startswith("0 new, 0 updated, 2 unchanged, 0 rejected (")

    r = run_cli("show", "arXiv:2503.11677v1")
    assert r.returncode == 0
    assert "2503.11677v1  Simulation of prosthetic vision" in r.stdout
    assert "Objective. Patients implanted with PRIMA." in r.stdout

    shown = json.loads(run_cli("show", "2503.11677", "--json").stdout)
    assert shown["announced"] == "2025-03-18" and shown["comment"] == "12 pages"

    stats = json.loads(run_cli("stats", "--json").stdout)
    assert stats["papers"] == 2 and stats["versions"] == 2
    assert stats["by_category"] == {"cs.CV": 1, "cs.HC": 1, "cs.LG": 1}
    assert stats["by_month"] == {"2025-03": 2}
    assert "papers             2" in run_cli("stats").stdout

    out = tmp_path / "export.jsonl.gz"
    r = run_cli("export", "-o", out)
    assert r.returncode == 0 and "exported 2 papers" in r.stderr
    lines = gzip.decompress(out.read_bytes()).decode().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["2503.11677", "2503.11678"]
    assert run_cli("export").stdout.splitlines() == lines
    assert (tmp_path / "cli-data" / "paperwire.db").exists() == (backend == "sqlite")


def test_export_round_trips_into_a_new_hub(run_cli, write_jsonl, tmp_path):
    run_cli("import", write_jsonl("a.jsonl", [listing("2503.11677"), listing("2503.11678v3")]))
    exported = run_cli("export").stdout
    other = {"PAPERWIRE_DATA_DIR": str(tmp_path / "other")}
    dump = tmp_path / "dump.jsonl"
    dump.write_text(exported)
    r = run_cli("import", dump, env=other)
    assert r.stdout.startswith("2 new, 0 updated, 0 unchanged, 0 rejected")
    assert run_cli("export", env=other).stdout == exported


def test_rejections_are_reported_and_exit_non_zero(run_cli, write_jsonl):
    path = write_jsonl("mixed.jsonl", [listing("2503.00001"), "{not json", listing("2503.00002", title="")])
    r = run_cli("import", path)
    assert r.returncode == 1
    assert r.stdout.startswith("1 new, 0 updated, 0 unchanged, 2 rejected")
    errors = r.stderr.splitlines()
    assert f"{path}:2: invalid JSON" in errors[0]
    assert errors[1] == f"{path}:3: paper 2503.00002 has no title"
    assert run_cli("show", "2503.00001").returncode == 0


def test_directory_and_missing_file(run_cli, tmp_path):
    r = run_cli("import", tmp_path, tmp_path / "missing.jsonl")
    assert r.returncode == 1
    assert f"{tmp_path}: is a directory" in r.stderr
    assert "missing.jsonl: no such file" in r.stderr
    assert "2 files failed" in r.stdout


def test_forced_format(run_cli, write_jsonl):
    path = write_jsonl("beir.jsonl", [{"_id": "4983", "title": "Microstructure", "text": "White\nmatter."}])
    r = run_cli("import", "--format", "beir", path)
    assert r.returncode == 0, r.stderr
    assert json.loads(run_cli("show", "4983", "--json").stdout)["abstract"] == "White matter."
    r = run_cli("import", "--format", "nonsense", path)
    assert r.returncode == 2 and "nonsense" in r.stderr


def test_show_unknown_id(run_cli):
    r = run_cli("show", "2501.00000")
    assert r.returncode == 1
    assert r.stderr.strip() == "Error: no paper with id '2501.00000'"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PAPERWIRE_BASE_URL": "example.org"},
            "Error: PAPERWIRE_BASE_URL: must be an http:// or https:// URL",
        ),
        (
            {"PAPERWIRE_DATABASE_URL": "oracle://x"},
            "Error: PAPERWIRE_DATABASE_URL: unsupported database 'oracle'",
        ),
    ],
)
def test_bad_settings_fail_with_one_line(run_cli, env, message):
    r = run_cli("stats", env=env)
    assert r.returncode == 1
    assert r.stderr.startswith(message)
    assert len(r.stderr.strip().splitlines()) == 1


def test_migrate(run_cli):
    r = run_cli("migrate")
    assert r.returncode == 0 and f"schema migrated from empty to {HEAD}" in r.stdout
    r = run_cli("migrate")
    assert r.stdout.strip() == f"schema is up to date (revision {HEAD})"


def test_migrate_on_postgresql(run_cli, postgres):
    env = {"PAPERWIRE_DATABASE_URL": postgres.new_database(migrated=False)}
    r = run_cli("migrate", env=env)
    assert r.returncode == 0 and f"schema migrated from empty to {HEAD}" in r.stdout, r.stderr
    assert run_cli("migrate", env=env).stdout.strip() == f"schema is up to date (revision {HEAD})"


def test_two_commands_starting_on_an_empty_postgres_database_both_work(cli_env, postgres, tmp_path):
    env = {**cli_env, "PAPERWIRE_DATABASE_URL": postgres.new_database(migrated=False)}
    runs = [
        subprocess.Popen([PAPERWIRE_BIN, "stats", "--json"], env=env, cwd=tmp_path, stdout=PIPE, stderr=PIPE)
        for _ in range(2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        assert json.loads(out)["papers"] == 0


def test_a_wrong_database_url_is_one_line_and_a_non_zero_exit(run_cli):
    env = {"PAPERWIRE_DATABASE_URL": "postgresql://paperwire:s3cret@127.0.0.1:1/paperwire"}
    r = run_cli("stats", env=env)
    assert r.returncode == 1
    database = "postgresql://paperwire:***@127.0.0.1:1/paperwire"
    assert r.stderr == f"Error: cannot use the database {database}: connection refused\n"


def test_serve_rejects_a_bad_port(run_cli):
    r = run_cli("serve", "--port", "99999")
    assert r.returncode == 2 and "99999" in r.stderr


def test_a_file_that_is_not_a_database(run_cli, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "paperwire.db").write_text("this is not SQLite")
    r = run_cli("stats", env={"PAPERWIRE_DATA_DIR": str(tmp_path / "bad")})
    assert r.returncode == 1
    assert r.stderr.strip().endswith("paperwire.db: file is not a database")
    assert (tmp_path / "bad" / "paperwire.db").read_text() == "this is not SQLite"


def test_a_data_dir_that_cannot_be_created(run_cli, tmp_path):
    (tmp_path / "file").write_text("x")
    r = run_cli("stats", env={"PAPERWIRE_DATA_DIR": str(tmp_path / "file" / "data")})
    assert r.returncode == 1
    assert r.stderr.startswith("Error: cannot create the data folder")


def test_interrupted_import_keeps_what_it_committed_and_resumes(cli_env, tmp_path, write_jsonl, run_cli):
    import signal
    import sqlite3
    import subprocess
    import time

    from tests.support.paths import PAPERWIRE_BIN

    path = write_jsonl("big.jsonl.gz", [listing(f"2503.{i:05d}") for i in range(60_000)], gz=True)
    proc = subprocess.Popen(
        [PAPERWIRE_BIN, "import", "-q", path], env=cli_env, stderr=subprocess.PIPE, text=True
    )
    db = tmp_path / "cli-data" / "paperwire.db"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until at least one batch is committed
        try:
            if sqlite3.connect(db).execute("SELECT count(*) FROM papers").fetchone()[0] > 0:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the import finished before the interrupt arrived")
    assert proc.returncode == 130
    assert "interrupted: the batches committed so far are kept" in err
    kept = json.loads(run_cli("stats", "--json").stdout)["papers"]
    assert 0 < kept < 60_000 and kept % 2000 == 0  # whole batches only
    r = run_cli("import", "-q", path)
    assert r.stdout.startswith(f"{60_000 - kept} new, 0 updated, {kept} unchanged, 0 rejected")
