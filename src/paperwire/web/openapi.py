"""The OpenAPI document (/api/openapi.json, /api/docs): every operation's body, security, answers and
real error codes, declared once here, in a table that reads like the API's contents.

FastAPI would describe the writes as taking no body (they read a JSON object or a form themselves),
every answer as a bare object, and a 422 the app never sends (it answers 400). The table below puts
the pydantic models of web/schemas.py in their place; a test keeps it covering every route, and the
schemathesis run in tests/web/test_openapi.py checks the app's answers against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, TypeAdapter

from paperwire.web import foryou_schemas as fy
from paperwire.web import library_schemas as ls
from paperwire.web import recommendation_schemas as rs
from paperwire.web import schemas as s
from paperwire.web.security import CSRF_COOKIE, SESSION_COOKIE

SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The session a magic link starts (docs/authentication.md).",
    },
    "csrfToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "Every write: the token of GET /api/csrf (forms send it as csrf_token).",
    },
    "csrfCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": CSRF_COOKIE,
        "description": "The cookie GET /api/csrf sets; the token is tied to it.",
    },
}
MEMBER_WRITE = [{"session": [], "csrfToken": [], "csrfCookie": []}]
ANYONE_WRITE = [{"csrfToken": [], "csrfCookie": []}]
MEMBER_READ = [{"session": []}]

ERRORS = {
    301: "The paper's canonical address (an old id form).",
    303: "A form's answer: the page to go to next (or sign in first).",
    400: "A bad value: the message says which and why.",
    401: "Sign in first.",
    403: "A missing or wrong CSRF token, or not allowed (not yours, not an admin).",
    404: "No such thing here (or hidden by a moderator).",
    413: "The file is larger than PAPERWIRE_MAX_IMPORT_BYTES.",
    429: "Past a rate limit or a queue's bound; Retry-After says when to try again.",
    503: "The database or the mail server is unavailable for now; try again.",
}
HTML = {"text/html": {"schema": {"type": "string"}}}
# An example of each path parameter, by name: values that name something on a hub (the test hub has
# these), so that clients and schemathesis try the pages that exist, not only the 404s.
PARAMETER_EXAMPLES = {
    "paper_id": "2503.10002",
    "day": "2025-03-18",
    "week": "2025-W12",
    "month": "2025-03",
    "category": "cs.CV",
    "name": "Alan Turing",
    "comment_id": 1,
    "submission_id": 1,
    "collection_id": 1,
    "fmt": "atom",
}


@dataclass(frozen=True)
class Op:
    """What one operation answers: `ok` maps a status to its JSON model (None: an HTML page)."""

    ok: dict[int, object] = field(default_factory=lambda: {200: None})
    errors: tuple[int, ...] = ()
    body: type[BaseModel] | None = None
    security: list | None = None
    media: tuple[str, ...] = ()  # other content types of its 200 (feeds, Markdown)
    enums: dict[str, list[str]] = field(default_factory=dict)  # parameters' allowed values
    upload: bool = False  # forms may also send a file (multipart/form-data, the field `file`)
    form: bool = True  # whether `body` may also come as a form (writes); a read-only POST takes JSON only


def api(model: object, *errors: int, status: int = 200, **kw) -> Op:
    return Op(ok={status: model}, errors=(*errors, 503), **kw)


def page(*errors: int, **kw) -> Op:
    return Op(errors=(*errors, 503), **kw)


def write(model: object, *errors: int, body=None, security=MEMBER_WRITE, status: int = 200) -> Op:
    """A write that answers JSON to an API client, and a form with a redirect or its page again."""
    return Op(ok={status: model}, errors=(303, *errors, 403, 503), body=body, security=security)


def read_post(model: object, body: type[BaseModel], *errors: int) -> Op:
    """A POST that only reads (its body is a question): JSON in and out, no session, no CSRF token."""
    return Op(ok={200: model}, errors=(400, *errors, 429, 503), body=body, form=False)


CSL = "application/vnd.citationstyles.csl+json"
FEED = {"media": ("application/atom+xml", "application/rss+xml"), "enums": {"fmt": ["atom", "rss"]}}

# The route table, as the document describes it.
OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", "/health"): api(s.Health),
    # daily
    ("GET", "/api/daily_papers"): api(list[s.HfDailyItem], 400),
    ("GET", "/"): page(),
    ("GET", "/date/{day}"): page(400),
    ("GET", "/date/{day}.json"): api(s.Listing, 400),
    ("GET", "/week/{week}"): page(400),
    ("GET", "/week/{week}.json"): api(s.Listing, 400),
    ("GET", "/month/{month}"): page(400),
    ("GET", "/month/{month}.json"): api(s.Listing, 400),
    ("GET", "/trending"): page(400),
    ("GET", "/trending.json"): api(s.Trending, 400),
    # search
    ("GET", "/api/papers/search"): api(list[s.HfSearchItem], 400),
    ("GET", "/api/search"): api(s.SearchResults, 400),
    ("GET", "/api/papers/{paper_id}/similar"): api(s.Similar, 400, 404),
    ("GET", "/search"): page(400),
    ("GET", "/search.json"): api(s.SearchResults, 400),
    # recommendations (web/recommendations.py): read-only POSTs, JSON only
    ("POST", "/api/recommendations"): read_post(rs.RecommendationsJson, rs.RecommendBody, 404),
    ("POST", "/recommendations/v1/papers"): read_post(rs.S2Recommendations, rs.S2Body, 404),
    ("GET", "/recommendations/v1/papers/forpaper/{paper_id}"): api(rs.S2Recommendations, 400, 404, 429),
    # votes, comments, moderation, submissions
    ("POST", "/api/papers/{paper_id}/vote"): write(s.Vote, 400, 401, 404, 429, body=s.VoteBody),
    ("DELETE", "/api/papers/{paper_id}/vote"): write(s.Vote, 401, 404, 429),
    ("POST", "/api/papers/{paper_id}/comments"): write(
        s.CommentPosted, 400, 401, 404, 429, body=s.CommentBody
    ),
    ("POST", "/api/comments/{comment_id}/delete"): write(s.Deleted, 400, 401, 404, body=s.FormFields),
    ("DELETE", "/api/comments/{comment_id}"): write(s.Deleted, 400, 401, 404),
    ("POST", "/api/comments/{comment_id}/hide"): write(s.CommentHidden, 400, 401, 404, body=s.HideBody),
    ("POST", "/api/papers/{paper_id}/hide"): write(s.PaperHidden, 400, 401, 404, body=s.HideBody),
    ("POST", "/api/papers"): Op(
        ok={200: s.Submitted, 201: s.Submitted, 202: s.Queued},
        errors=(303, 400, 401, 403, 404, 429, 503),
        body=s.SubmitBody,
        security=MEMBER_WRITE,
    ),
    ("GET", "/api/submissions/{submission_id}"): api(s.Queued, 400, 401, 404, security=MEMBER_READ),
    ("GET", "/submissions/{submission_id}"): page(303, 400, 404, security=MEMBER_READ),
    # library (private to its owner) and collections
    **{
        (method, f"/api/papers/{{paper_id}}/{kind}"): write(model, *errors, body=body)
        for kind, model in (("save", ls.Saved), ("not-interested", ls.NotInterested), ("read", ls.Read))
        for method, errors, body in (
            ("POST", (400, 401, 404, 429), ls.SignalBody),
            ("DELETE", (401, 404, 429), None),
        )
    },
    ("POST", "/api/library/import"): Op(
        ok={200: ls.ImportResult},
        errors=(303, 400, 401, 403, 404, 413, 429, 503),
        body=ls.ImportBody,
        security=MEMBER_WRITE,
        upload=True,
    ),
    # "For you": the member's own page, their interests, and the private feed by token
    ("GET", "/for-you"): page(303, 400, security=MEMBER_READ),
    ("GET", "/for-you.json"): api(fy.ForYouJson, 400, 401, security=MEMBER_READ),
    ("GET", "/for-you/feed/{token}.atom"): page(404, media=("application/atom+xml",)),
    ("POST", "/api/for-you/interests"): write(fy.Interests, 400, 401, 429, body=fy.InterestsBody),
    ("POST", "/api/for-you/feed"): write(fy.FeedLink, 401, 429, body=s.FormFields),
    ("GET", "/library"): page(303, 400, security=MEMBER_READ),
    ("GET", "/library.json"): api(ls.LibraryJson, 400, 401, security=MEMBER_READ),
    ("GET", "/library/export/bibtex"): page(303, media=("application/x-bibtex",), security=MEMBER_READ),
    ("GET", "/library/export/csl-json"): api(list[dict], 303, media=(CSL,), security=MEMBER_READ),
    ("GET", "/collections/{collection_id}"): page(400, 404),
    ("GET", "/collections/{collection_id}.json"): api(ls.CollectionPage, 400, 404),
    ("GET", "/collections/{collection_id}/delete"): page(303, 400, 404, security=MEMBER_READ),
    ("GET", "/collections/{collection_id}/feed.atom"): page(400, 404, media=("application/atom+xml",)),
    ("GET", "/collections/{collection_id}/export/bibtex"): page(400, 404, media=("application/x-bibtex",)),
    ("GET", "/collections/{collection_id}/export/csl-json"): api(list[dict], 400, 404, media=(CSL,)),
    ("POST", "/api/collections"): write(ls.CollectionJson, 400, 401, 429, body=ls.CollectionBody, status=201),
    ("POST", "/api/collections/{collection_id}"): write(
        ls.CollectionJson, 400, 401, 404, 429, body=ls.CollectionUpdateBody
    ),
    ("POST", "/api/collections/{collection_id}/delete"): write(
        s.Deleted, 400, 401, 404, 429, body=s.FormFields
    ),
    ("DELETE", "/api/collections/{collection_id}"): write(s.Deleted, 400, 401, 404, 429),
    ("POST", "/api/papers/{paper_id}/collections"): write(
        ls.Collected, 400, 401, 404, 429, body=ls.CollectBody
    ),
    ("POST", "/api/papers/{paper_id}/collections/{collection_id}/delete"): write(
        ls.Collected, 400, 401, 404, 429, body=s.FormFields
    ),
    ("DELETE", "/api/papers/{paper_id}/collections/{collection_id}"): write(ls.Collected, 400, 401, 404, 429),
    # papers
    ("GET", "/api/papers/{paper_id}"): api(s.HfPaperInfo, 404),
    ("GET", "/papers/{paper_id}"): page(301, 404, media=("text/markdown",)),
    ("GET", "/papers/{paper_id}.json"): api(s.PaperRecord, 404),
    ("GET", "/categories/{category}"): page(400),
    ("GET", "/categories/{category}.json"): api(s.Browse, 400),
    ("GET", "/authors/{name}"): page(400),
    ("GET", "/authors/{name}.json"): api(s.Browse, 400),
    ("GET", "/submit"): page(),
    # feeds
    ("GET", "/feeds/daily.{fmt}"): page(404, **FEED),
    ("GET", "/feeds/week.{fmt}"): page(404, **FEED),
    ("GET", "/feeds/month.{fmt}"): page(404, **FEED),
    ("GET", "/feeds/trending.{fmt}"): page(404, **FEED),
    ("GET", "/feeds/categories/{category}.{fmt}"): page(404, **FEED),
    ("GET", "/feeds/search.{fmt}"): page(400, 404, **FEED),
    # users
    ("GET", "/api/csrf"): api(s.CsrfToken),
    ("GET", "/signin"): page(),
    ("GET", "/signin/verify"): page(400),
    ("GET", "/profile"): page(303, security=MEMBER_READ),
    ("GET", "/profile.json"): api(s.Profile, 401, security=MEMBER_READ),
    ("POST", "/api/signin"): write(s.SigninSent, 400, 429, body=s.SigninBody, security=ANYONE_WRITE),
    ("POST", "/api/signin/verify"): write(s.SignedIn, 400, body=s.VerifyBody, security=ANYONE_WRITE),
    ("POST", "/api/signout"): write(s.SignedOut, body=s.FormFields, security=ANYONE_WRITE),
    # digest subscriptions
    ("GET", "/subscribe"): page(),
    ("GET", "/subscribe/confirm"): page(400),
    ("GET", "/subscription"): page(303, 400, 404),
    ("GET", "/subscription.json"): api(s.SubscriptionJson, 400, 401, 404),
    ("GET", "/unsubscribe/{token}"): page(400),
    ("POST", "/unsubscribe/{token}"): Op(
        ok={200: s.SubscriptionStatus}, errors=(400, 503), media=("text/html",)
    ),  # RFC 8058 one-click: no CSRF token, the signed token in the path is the authentication
    ("POST", "/api/subscriptions"): write(
        s.SubscriptionSent, 400, 429, body=s.SubscribeBody, security=ANYONE_WRITE, status=202
    ),
    ("POST", "/api/subscriptions/confirm"): write(
        s.SubscriptionStatus, 400, body=s.TokenBody, security=ANYONE_WRITE
    ),
    ("POST", "/api/subscription"): write(
        s.SubscriptionJson, 400, 401, 404, body=s.SettingsBody, security=ANYONE_WRITE
    ),
    ("POST", "/api/subscription/unsubscribe"): write(
        s.SubscriptionStatus, 400, 401, 404, body=s.TokenBody, security=ANYONE_WRITE
    ),
    ("POST", "/api/subscription/resubscribe"): write(
        s.SubscriptionStatus, 400, 401, 404, body=s.TokenBody, security=ANYONE_WRITE
    ),
}


def install(app: FastAPI) -> None:
    """Serve the document built from OPERATIONS instead of FastAPI's guess."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi


def build(app: FastAPI) -> dict:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schemas: dict = {}
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            spec = OPERATIONS.get((method.upper(), path))
            if spec is None:  # a route added without a line above: tests/web/test_openapi.py says so
                op["responses"] = {"200": {"description": "Undescribed."}}
                continue
            _describe(op, spec, schemas)
    components = doc.setdefault("components", {})
    components["schemas"] = dict(sorted(schemas.items()))  # no HTTPValidationError: there is no 422
    components["securitySchemes"] = SECURITY_SCHEMES
    return doc


def _describe(op: dict, spec: Op, schemas: dict) -> None:
    for param in op.get("parameters", []):
        if param["in"] == "path" and param["name"] in PARAMETER_EXAMPLES:
            param["example"] = PARAMETER_EXAMPLES[param["name"]]
        if param["name"] in spec.enums:
            param["schema"] = {"type": "string", "enum": spec.enums[param["name"]]}
    responses = {}
    for status, model in spec.ok.items():
        if model is None:
            content = {**HTML, **{media: {"schema": {"type": "string"}} for media in spec.media}}
        else:
            content = {"application/json": {"schema": _schema(model, schemas)}}
            for media in spec.media:  # a JSON media type (CSL JSON) has the model's schema too
                content[media] = (
                    content["application/json"] if media.endswith("+json") else {"schema": {"type": "string"}}
                )
        responses[str(status)] = {"description": "OK" if status < 300 else "Accepted", "content": content}
    if 202 in spec.ok and spec.ok[202] is s.Queued:
        responses["202"]["description"] = "Queued for a fetch from arXiv; Location is its state."
        responses["202"]["headers"] = {"Location": {"schema": {"type": "string"}}}
    error = {"application/json": {"schema": _schema(s.Error, schemas)}, **HTML}
    for status in spec.errors:
        answer: dict = {"description": ERRORS[status]}
        if status >= 400:
            answer["content"] = error
        if status == 429:
            answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        responses[str(status)] = answer
    op["responses"] = responses
    if spec.body is not None:
        op["requestBody"] = _body(spec.body, schemas) if spec.form else _json_body(spec.body, schemas)
    if spec.upload:
        form = op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
        fields = {k: v for k, v in form["properties"].items() if k != "content"}
        op["requestBody"]["content"]["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}, **fields},
                "required": ["file", "csrf_token"],
            }
        }
    if spec.security is not None:
        op["security"] = spec.security


def _schema(model: object, schemas: dict) -> dict:
    """A $ref to a model (its schema, and the schemas it refers to, added to `schemas`)."""
    adapter = TypeAdapter(model)
    schema = adapter.json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    schemas.update(schema.pop("$defs", {}))
    if isinstance(model, type) and issubclass(model, BaseModel):
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}
    return schema


def _json_body(model: type[BaseModel], schemas: dict) -> dict:
    """A JSON object only, described as it is read (aliases, no extra fields where refused)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


def _body(model: type[BaseModel], schemas: dict) -> dict:
    """A JSON object or a form; the form carries the CSRF token and may say where to go next."""
    form = s.FormFields.model_json_schema()
    fields = model.model_json_schema(ref_template="#/components/schemas/{model}")
    fields.pop("$defs", None)
    as_form = {
        "type": "object",
        "properties": {**fields.get("properties", {}), **form["properties"]},
        "required": sorted({*fields.get("required", []), *form["required"]}),
    }
    if model is s.FormFields:
        as_json: dict = {"type": "object"}
    else:
        as_json = _schema(model, schemas)
    return {
        "required": model is not s.FormFields,
        "content": {
            "application/json": {"schema": as_json},
            "application/x-www-form-urlencoded": {"schema": as_form},
        },
    }
