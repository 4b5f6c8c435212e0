"""Comments and moderation over HTTP: Markdown made safe, caps, who deletes and who hides."""

from paperwire.web.services import services
from tests.support.hub import TOKEN, make_hub


def csrf(client, path="/"):
    return TOKEN.search(client.get(path).text).group(1)


def test_comments_are_markdown_and_sanitised(hub):
    client = hub.sign_in("a@example.org")
    token = csrf(client)
    body = "Nice **result**. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    r = client.post("/api/papers/2503.10003/comments", data={"csrf_token": token, "body": body})
    assert r.status_code == 200
    page = hub.new_client().get("/papers/2503.10003").text
    assert "<strong>result</strong>" in page
    # What is left of the markup is text: escaped, never a tag or an attribute.
    assert "<script>alert" not in page and "<img" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page
    # The title's own markup is escaped too.
    assert "&lt;b&gt;reasoning&lt;/b&gt;" in page


def test_comments_are_rendered_when_posted_not_when_shown(hub, monkeypatch):
    import paperwire.comments

    client = hub.sign_in("a@example.org")
    headers = {"X-CSRF-Token": csrf(client)}
    nested = "[" * 10_000  # at the length cap: accepted, and rendered once
    for body in ("*first*", nested):
        r = client.post("/api/papers/2503.10003/comments", json={"body": body}, headers=headers)
        assert r.status_code == 200, r.text
    calls = []
    real = paperwire.comments.render_markdown
    monkeypatch.setattr(paperwire.comments, "render_markdown", lambda text: calls.append(text) or real(text))
    for viewer in (hub.new_client(), client):
        page = viewer.get("/papers/2503.10003").text
        assert "<em>first</em>" in page and "[" * 200 in page
    assert hub.client.get("/papers/2503.10003.json").json()["comments"][1]["body"] == nested
    assert calls == []  # every view read the stored HTML


def test_a_comment_over_the_cap_is_refused(hub):
    client = hub.sign_in("a@example.org")
    too_long = "[" * 10_001
    r = client.post(
        "/api/papers/2503.10003/comments", json={"body": too_long}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert r.status_code == 400 and r.json()["error"] == {
        "code": "bad_request",
        "message": "a comment is at most 10,000 characters; this one has 10,001",
    }
    form = client.post("/api/papers/2503.10003/comments", data={"csrf_token": csrf(client), "body": too_long})
    assert form.status_code == 400 and 'role="alert"' in form.text and "at most 10,000" in form.text
    assert hub.store.comments.paper_comments("2503.10003") == []


def test_an_empty_comment_gets_a_form_error(hub):
    client = hub.sign_in("a@example.org")
    r = client.post("/api/papers/2503.10003/comments", data={"csrf_token": csrf(client), "body": "   "})
    assert r.status_code == 400 and 'role="alert"' in r.text
    r = client.post(
        "/api/papers/2503.10003/comments", json={"body": ""}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert r.status_code == 400 and r.json()["error"]["message"]
    assert hub.store.comments.paper_comments("2503.10003") == []


def test_only_the_author_deletes_a_comment(hub):
    alice = hub.sign_in("alice@example.org")
    bob = hub.sign_in("bob@example.org", hub.new_client())
    r = alice.post(
        "/api/papers/2503.10003/comments", json={"body": "mine"}, headers={"X-CSRF-Token": csrf(alice)}
    )
    comment_id = r.json()["id"]
    r = bob.delete(f"/api/comments/{comment_id}", headers={"X-CSRF-Token": csrf(bob)})
    assert r.status_code == 403
    page = bob.get("/papers/2503.10003").text
    assert f"/api/comments/{comment_id}/delete" not in page  # no delete button for others
    page = alice.get("/papers/2503.10003").text
    assert f"/api/comments/{comment_id}/delete" in page
    r = alice.post(f"/api/comments/{comment_id}/delete", data={"csrf_token": csrf(alice)})
    assert r.status_code == 200 and hub.store.comments.get_comment(comment_id) is None
    assert alice.delete("/api/comments/999", headers={"X-CSRF-Token": csrf(alice)}).status_code == 404
    # Beyond the databases' integers (schemathesis found a 500 here): a 400 that says so.
    huge = alice.delete("/api/comments/9223372036854775808", headers={"X-CSRF-Token": csrf(alice)})
    assert huge.status_code == 400 and huge.json()["error"]["code"] == "bad_request"


def test_comments_are_rate_limited(tmp_path, model_dir, smtp_inbox):
    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, rate_limits="comment=2/600")
    with hub.client:
        client = hub.sign_in("a@example.org")
        headers = {"X-CSRF-Token": csrf(client)}
        codes = [
            client.post(
                "/api/papers/2503.10003/comments", json={"body": f"c{i}"}, headers=headers
            ).status_code
            for i in range(3)
        ]
        assert codes == [200, 200, 429]
    store.close()


def test_admins_hide_papers_and_comments(hub, run_cli):
    member = hub.sign_in("member@example.org")
    r = member.post(
        "/api/papers/2503.10003/comments", json={"body": "spam"}, headers={"X-CSRF-Token": csrf(member)}
    )
    comment_id = r.json()["id"]
    assert member.post("/api/papers/2503.10002/hide", data={"csrf_token": csrf(member)}).status_code == 403
    data_dir = str(services(hub.app).settings.data_dir)
    assert run_cli("admin", "grant", "mod@example.org", env={"PAPERWIRE_DATA_DIR": data_dir}).returncode == 0
    mod = hub.sign_in("mod@example.org", hub.new_client())
    token = csrf(mod)
    assert mod.post("/api/papers/2503.10002/hide", data={"csrf_token": token}).status_code == 200
    assert "Hidden by a moderator" in mod.get("/papers/2503.10002").text  # admins still see it
    assert hub.client.get("/papers/2503.10002").status_code == 404
    assert "2503.10002" not in hub.new_client().get("/date/2025-03-18").text
    assert "2503.10002" not in hub.new_client().get("/feeds/daily.atom").text
    mod.post(f"/api/comments/{comment_id}/hide", data={"csrf_token": token})
    assert "spam" not in hub.new_client().get("/papers/2503.10003").text
    assert "spam" in member.get("/profile").text  # the author still sees it, marked hidden
    mod.post("/api/papers/2503.10002/hide", data={"csrf_token": token, "hidden": "0"})
    assert hub.new_client().get("/papers/2503.10002").status_code == 200


def test_the_admin_command(run_cli):
    assert "is an admin" in run_cli("admin", "grant", "Mod@Example.org").stdout
    assert run_cli("admin", "list").stdout.strip() == "mod <mod@example.org>"
    assert "no longer" in run_cli("admin", "revoke", "mod@example.org").stdout
    assert run_cli("admin", "list").stdout == ""
    bad = run_cli("admin", "grant", "nope")
    assert (
        bad.returncode == 1 and bad.stderr.strip().count("\n") == 0 and "not an email address" in bad.stderr
    )
    missing = run_cli("admin", "revoke", "x@example.org")
    assert missing.returncode == 1 and "no user with the address x@example.org" in missing.stderr
