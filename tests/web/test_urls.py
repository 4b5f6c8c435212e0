"""Every URL a page builds encodes its parts: hostile ids stay inside their path, any author name
round-trips (issue 21)."""

import re
from html import unescape

import httpx

from paperwire.models.papers import Paper

NAMES = [
    "Ana/Bo Smith",
    "Q?x=1",
    "Hash#tag",
    "100% Sure",
    "Jean  Dupont Jr.",
    "Zoë 张伟",
    "a&b <c>",
    "x%2Fy",
    "é.json.x",
]


def test_author_links_round_trip_any_name(spawn_server):
    """Over real HTTP (a spawned `serve`): uvicorn decodes a path once, as browsers expect."""
    record = {"id": "2504.00001", "title": "Odd names", "authors": NAMES, "first_listed_date": "2025-03-20"}
    server = spawn_server(records=[record])
    page = httpx.get(server.url + "/papers/2504.00001", timeout=60).text
    links = [unescape(h) for h in re.findall(r'<a href="(/authors/[^"]+)"', page)]
    assert len(links) == len(NAMES)
    for link, name in zip(links, [" ".join(n.split()) for n in NAMES], strict=True):
        r = httpx.get(server.url + link, timeout=60)
        assert r.status_code == 200 and "Odd names" in r.text, (name, link)
        assert httpx.get(server.url + link + ".json").json()["name"] == name, link


def test_a_hostile_id_stored_before_validation_cannot_retarget_a_form(hub):
    """Issue 21: an admin's upvote on `2503.10002/hide?x=` hid 2503.10002. Built directly here, as a
    record imported before ids were validated would come back from the store."""
    hostile = "2503.10002/hide?x="
    hub.store.papers.upsert_papers([Paper(hostile, "A hostile id", "test")])
    admin = hub.store.users.get_or_create_user("admin@example.org")
    hub.store.users.set_admin(admin.id, True)
    client = hub.sign_in("admin@example.org", hub.new_client())
    page = client.get("/papers/2503.10002/hide%3Fx%3D")
    assert page.status_code == 200 and "A hostile id" in page.text
    actions = re.findall(r'<form[^>]+action="([^"]+)"', page.text)
    vote = next(a for a in actions if a.endswith("/vote"))
    assert vote == "/api/papers/2503.10002/hide%3Fx%3D/vote"
    assert "/api/papers/2503.10002/hide%3Fx%3D/hide" in actions
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(vote, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/papers/2503.10002/hide%3Fx%3D"
    assert hub.store.papers.paper_activity(hostile).upvotes == 1
    assert hub.store.papers.hidden_papers(["2503.10002"]) == set()
    assert hub.new_client().get("/papers/2503.10002").status_code == 200
    assert (
        'href="/signin?next=/papers/2503.10002/hide%253Fx%253D"'
        in hub.new_client().get("/papers/2503.10002/hide%3Fx%3D").text
    )
