from pathlib import Path

import pytest

from paperwire import PaperwireError
from paperwire.settings import Settings, load_settings


def test_defaults(monkeypatch):
    for name in ("DATA_DIR", "DATABASE_URL", "SECRET_KEY", "BASE_URL"):
        monkeypatch.delenv(f"PAPERWIRE_{name}", raising=False)
    s = load_settings()
    assert s.data_dir == Path("paperwire-data")
    assert s.resolved_database_url == "sqlite:///paperwire-data/paperwire.db"
    assert s.secret_key is None


def test_reads_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERWIRE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERWIRE_BASE_URL", "https://papers.example.org/")
    monkeypatch.setenv("PAPERWIRE_SECRET_KEY", "k" * 40)
    s = load_settings()
    assert s.resolved_database_url == f"sqlite:///{tmp_path}/paperwire.db"
    assert s.base_url == "https://papers.example.org"
    assert s.secret_key == "k" * 40


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PAPERWIRE_BASE_URL", "papers.example.org", "PAPERWIRE_BASE_URL: must be an http"),
        ("PAPERWIRE_DATABASE_URL", "mysql://x", "PAPERWIRE_DATABASE_URL: unsupported database 'mysql'"),
        ("PAPERWIRE_DATABASE_URL", "sqlite:///", "PAPERWIRE_DATABASE_URL: a SQLite URL looks like"),
        ("PAPERWIRE_SECRET_KEY", "short", "PAPERWIRE_SECRET_KEY: must be at least 32 characters"),
    ],
)
def test_bad_value_names_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(PaperwireError) as err:
        load_settings()
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_every_setting_has_a_description():
    for name, field in Settings.model_fields.items():
        assert field.description, name


@pytest.mark.parametrize(
    ("value", "choice"),
    [
        ("none", "none"),
        ("semantic", "semantic"),
        ("all", "all"),
        ("true", "all"),
        ("False", "none"),
        ("", "none"),
    ],
)
def test_search_in_database_is_a_choice_and_still_takes_the_old_booleans(monkeypatch, value, choice):
    monkeypatch.setenv("PAPERWIRE_SEARCH_IN_DATABASE", value)
    assert load_settings().search_in_database == choice


def test_search_in_database_refuses_other_values(monkeypatch):
    monkeypatch.setenv("PAPERWIRE_SEARCH_IN_DATABASE", "vectors")
    with pytest.raises(PaperwireError, match=r"PAPERWIRE_SEARCH_IN_DATABASE: .*'none', 'semantic' or 'all'"):
        load_settings()


def test_make_settings_keeps_the_runs_backend_whatever_else_changes(make_settings, backend):
    """The conftest fixture that modules build other settings with: the [postgres] run stays on PostgreSQL."""
    s = make_settings(contact_email="ops@example.org", ingest_schedule=False)
    assert s.resolved_database_url.startswith("postgresql:" if backend == "postgres" else "sqlite:")
    assert s.contact_email == "ops@example.org" and s.ingest_schedule is False
    with pytest.raises(TypeError, match="keeps the run's database_url"):
        make_settings(database_url="sqlite:///elsewhere.db")
