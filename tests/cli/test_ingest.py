"""The `paperwire ingest` commands: every one and its options documented; argument checks."""

from datetime import date

import click
import pytest

from paperwire.cli.ingest import hf_period, ingest
from paperwire.models.ingest import HarvestState
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.paths import DOCS


def test_every_ingest_command_and_option_is_documented():
    text = (DOCS / "cli.md").read_text()
    missing = []
    for name, command in ingest.commands.items():
        if f"`paperwire ingest {name}" not in text:
            missing.append(name)
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if isinstance(param, click.Option) and opt.startswith("--") and opt not in text:
                    missing.append(f"{name} {opt}")
    assert not missing, f"add to docs/cli.md: {missing}"


@pytest.mark.parametrize(
    "args, period",
    [
        (("2025-03-18", None, None), {"date": "2025-03-18"}),
        ((None, "2025-W12", None), {"week": "2025-W12"}),
        ((None, None, "2025-03"), {"month": "2025-03"}),
    ],
)
def test_hf_periods(args, period):
    assert hf_period(*args) == period


@pytest.mark.parametrize(
    "args", [("2025-02-30", None, None), (None, "2025-W54", None), (None, None, "2025-13")]
)
def test_bad_hf_periods(args):
    with pytest.raises(click.BadParameter):
        hf_period(*args)


def test_status_of_an_empty_hub(run_cli):
    r = run_cli("ingest", "status")
    assert r.returncode == 0
    assert r.stdout.splitlines() == [
        "harvests",
        "  none yet (paperwire ingest arxiv)",
        "announcement days",
        "  none yet (paperwire ingest daily)",
        "runs",
        "  none yet",
    ]


def test_status_shows_a_harvest_under_way_and_a_failed_run(run_cli, cli_env):
    with open_store(load_settings(data_dir=cli_env["PAPERWIRE_DATA_DIR"])) as store:
        store.ingest.save_harvest(
            HarvestState("oai:cs", date(2025, 3, 1), None, None, "tok|2", date(2025, 3, 9), 2, 2000)
        )
        run = store.ingest.start_run("arxiv", "--set cs", "cli")
        store.ingest.finish_run(
            run, "error", {"new": 2000, "pages": 2}, "HTTP 500 (gave up after 5 attempts)"
        )
        store.ingest.start_run("daily", "cs.LG", "schedule")
    r = run_cli("ingest", "status")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[1] == (
        "  oai:cs       cursor 2025-03-01; under way from the start: 2 pages, 2000 records stored "
        "(run it again to resume)"
    )
    assert lines[-2].endswith("daily cs.LG (schedule): running (or killed)")
    assert lines[-1].endswith(
        "arxiv --set cs (cli): error; 2000 new, 2 pages; error: HTTP 500 (gave up after 5 attempts)"
    )
