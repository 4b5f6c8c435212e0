"""`paperwire signin-link` (and `paperwire admin`): the operator's way in without a mail server."""

import re

from fastapi.testclient import TestClient

from paperwire.settings import load_settings
from paperwire.storage import open_store
from paperwire.web import create_app

SECRET = "s" * 40


def redeem(client: TestClient, link: str):
    """Open the link like a browser does (a GET shows a button), then press the button (a POST)."""
    page = client.get(link.removeprefix("http://hub.example"))
    assert page.status_code == 200, page.text
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    return client.post("/api/signin/verify", data=form, follow_redirects=False)


def test_a_printed_link_signs_in_over_http_once(backend, run_cli, cli_env, database_url, tmp_path):
    env = {"PAPERWIRE_SECRET_KEY": SECRET}
    r = run_cli(
        "signin-link",
        "Operator@Example.org",
        "--next",
        "/profile",
        "--base-url",
        "http://hub.example",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    link = r.stdout.strip()
    assert re.fullmatch(r"http://hub\.example/signin/verify\?token=[\w.-]+&next=%2Fprofile", link)
    assert "signs in operator@example.org once, within 15 minutes" in r.stderr
    settings = load_settings(
        data_dir=cli_env["PAPERWIRE_DATA_DIR"],
        database_url=database_url,
        secret_key=SECRET,
        ingest_schedule=False,
    )
    with open_store(settings) as store, TestClient(create_app(settings, store)) as client:
        done = redeem(client, link)
        assert done.status_code == 303 and done.headers["location"] == "/profile"
        assert client.get("/profile.json").json()["email"] == "operator@example.org"
        other = TestClient(create_app(settings, store))
        again = redeem(other, link)
        assert again.status_code == 400 and "used already" in again.text
        assert other.get("/profile.json").status_code == 401


def test_signin_link_refuses_a_bad_address_and_a_bad_base_url(run_cli):
    r = run_cli("signin-link", "not-an-email")
    assert (
        r.returncode == 1
        and r.stderr.strip().splitlines()[-1] == "Error: 'not-an-email' is not an email address"
    )
    r = run_cli("signin-link", "a@example.org", "--base-url", "hub.example")
    assert (
        r.returncode == 2 and "Invalid value for --base-url: must be an http:// or https:// URL" in r.stderr
    )


def test_signin_link_says_which_address_it_used(run_cli):
    r = run_cli("signin-link", "a@example.org")
    assert r.returncode == 0 and r.stdout.startswith("http://127.0.0.1:8000/signin/verify?token=")
    assert "PAPERWIRE_BASE_URL is not set" in r.stderr
    r = run_cli("signin-link", "a@example.org", env={"PAPERWIRE_BASE_URL": "https://papers.example"})
    assert r.stdout.startswith("https://papers.example/signin/verify?") and "is not set" not in r.stderr
