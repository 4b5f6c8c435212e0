"""Sessions, CSRF tokens and rate limits live in the database: two `serve` processes on one PostgreSQL
database (two hosts behind a load balancer, or two workers) agree on all three."""

import re

import httpx

from tests.support.hub import LINK, TOKEN
from tests.support.records import LISTING
from tests.support.server import hub_env, start_server

SECRET = "shared-secret-key-" + "x" * 32


def test_a_session_made_on_one_serve_is_known_to_another(postgres, tmp_path, model_dir, smtp_inbox):
    url = postgres.new_database()
    common = {
        "PAPERWIRE_DATABASE_URL": url,
        "PAPERWIRE_SECRET_KEY": SECRET,  # the one secret every worker and host shares
        "PAPERWIRE_SMTP_URL": smtp_inbox.url,
        "PAPERWIRE_RATE_LIMITS": "vote=3/3600,signin_ip=1/3600",
        "PAPERWIRE_SEARCH_INDEXER": "false",
    }
    a = start_server(hub_env(tmp_path / "a" / "data", model_dir, **common), [LISTING])
    b = start_server(hub_env(tmp_path / "b" / "data", model_dir, **common))
    try:
        # One cookie jar for both, as a browser behind a load balancer: cookies ignore the port.
        with httpx.Client(timeout=10) as client:
            token = TOKEN.search(client.get(f"{a.url}/signin").text).group(1)
            sent = client.post(f"{a.url}/api/signin", data={"email": "r@example.org", "csrf_token": token})
            assert sent.status_code == 200, sent.text
            link = LINK.search(smtp_inbox.wait_for(1)[0].get_content()).group(1)
            # Per-IP limits count the client behind the proxy (127.0.0.1, trusted by default) on each serve.
            tries = ((b, "203.0.113.1", 200), (a, "203.0.113.1", 429), (b, "203.0.113.2", 200))
            for server, ip, status in tries:
                data = {"email": f"{ip}@example.org", "csrf_token": token}
                answer = client.post(f"{server.url}/api/signin", data=data, headers={"X-Forwarded-For": ip})
                assert answer.status_code == status, (ip, answer.text)
            # The link a made is redeemed on b, and the session b starts is known to a.
            verify = client.get(f"{b.url}/signin/verify?{link.split('?', 1)[1]}")
            form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', verify.text))
            done = client.post(f"{b.url}/api/signin/verify", data=form, follow_redirects=False)
            assert done.status_code == 303, done.text
            assert client.get(f"{a.url}/profile.json").json()["email"] == "r@example.org"
            # A CSRF token from a page of a is good on b; without it, b refuses.
            vote = f"/api/papers/{LISTING['id']}/vote"
            assert client.post(f"{b.url}{vote}").status_code == 403
            headers = {"X-CSRF-Token": token}
            assert client.post(f"{b.url}{vote}", headers=headers).json()["upvotes"] == 1
            # The vote limit (3 an hour) counts across both: a, b, then the 4th on a is refused.
            assert client.delete(f"{a.url}{vote}", headers=headers).status_code == 200
            assert client.post(f"{b.url}{vote}", headers=headers).status_code == 200
            refused = client.delete(f"{a.url}{vote}", headers=headers)
            assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
            # Signing out on a ends the session on b too.
            assert client.post(f"{a.url}/api/signout", headers=headers).status_code in (200, 303)
            assert client.get(f"{b.url}/profile.json").status_code == 401
    finally:
        a.stop()
        b.stop()
