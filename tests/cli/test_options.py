"""The date option every command group shares: the same rule and the same one-line usage error."""

import pytest


@pytest.mark.parametrize(
    "args",
    [
        ("search", "graph", "--from", "{}"),
        ("ingest", "arxiv", "--until", "{}"),
        ("digest", "send", "--date", "{}"),
    ],
)
@pytest.mark.parametrize("value", ["2025-02-30", "20250318", "2025-W12-1", "yesterday"])
def test_a_date_option_takes_yyyy_mm_dd_only(run_cli, args, value):
    r = run_cli(*(a.format(value) for a in args))
    assert r.returncode == 2, r.stderr
    assert f"'{value}' is not a YYYY-MM-DD date" in r.stderr.splitlines()[-1]


def test_a_good_date_passes(run_cli):
    r = run_cli("search", "graph", "--from", "2025-03-18", "--until", "2025-03-19")
    assert r.returncode == 0 and r.stderr.strip() == "no results"
