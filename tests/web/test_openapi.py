"""The OpenAPI document describes the whole app, and the app keeps to it: schemathesis generates
requests for every operation (anonymous, then signed in as an admin with a session cookie and a CSRF
token made here) and checks that no answer is a server error or breaks its declared status codes,
content types, headers or schema. Both databases; a bounded number of examples per operation."""

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paperwire.web.openapi import OPERATIONS
from tests.support.routes import api_routes

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 6  # per operation and run: the whole file stays under a minute
# Signing out in the middle would leave the rest of the signed-in run anonymous: the anonymous run
# covers it.
SIGNED_IN_SKIPS = {("POST", "/api/signout")}
# POSTs that only read (web/recommendations.py): JSON bodies, no session or CSRF token.
READ_POSTS = {"/api/recommendations", "/recommendations/v1/papers"}


def headers_of(hub, client) -> dict:
    """The cookies and the CSRF token a client of the API sends."""
    token = client.get("/api/csrf").json()["csrf_token"]
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"Cookie": cookies, "X-CSRF-Token": token}


def run_schemathesis(hub, headers: dict, skip=frozenset()) -> list[str]:
    """Generate EXAMPLES requests for every operation of the document and check each answer; returns
    the failures, one line each (the first per operation)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", hub.app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in skip:
            continue

        # Generated requests, and the document's examples (pages and papers that exist).
        strategies = [
            operation.as_strategy(),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),  # values it must refuse
            *schema.get_strategies_from_examples(operation),
        ]

        @given(case=st.one_of(strategies))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same requests every run
            database=None,
            phases=[Phase.generate],  # no shrinking: a failure is reported as found
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every operation's
            failures.append(
                f"{operation.method.upper()} {operation.path}: {' '.join(str(exc).split())[:600]}"
            )
    return failures


def test_anonymous_visitors_get_what_the_document_says(hub):
    assert run_schemathesis(hub, headers_of(hub, hub.new_client())) == []


def test_signed_in_admins_get_what_the_document_says(hub):
    """An admin signed in through the emailed link: every member and moderation route answers."""
    client = hub.sign_in("admin@example.org", hub.new_client())
    hub.store.users.set_admin(hub.store.users.find_user(email="admin@example.org").id, True)
    assert run_schemathesis(hub, headers_of(hub, client), skip=SIGNED_IN_SKIPS) == []


def test_every_route_is_in_the_document_table(hub):
    """Each route has its line in web/openapi.py's OPERATIONS, and each line a route."""
    routes = {
        (method, route.path.replace(":path", ""))
        for route in api_routes(hub.app)
        if route.include_in_schema
        for method in route.methods - {"HEAD"}
    }
    assert routes == set(OPERATIONS)


def test_the_document_declares_bodies_security_and_errors(hub):
    doc = hub.client.get("/api/openapi.json").json()
    assert set(doc["components"]["securitySchemes"]) == {"session", "csrfToken", "csrfCookie"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            assert "422" not in op["responses"], (method, path)
            if method == "post" and path in READ_POSTS:
                assert "security" not in op and "403" not in op["responses"], path
                assert set(op["requestBody"]["content"]) == {"application/json"}, path
                continue
            if method in ("post", "delete") and path != "/unsubscribe/{token}":
                assert op["security"], (method, path)
                assert op["responses"]["403"], (method, path)
            if method == "post" and path != "/unsubscribe/{token}":
                content = op["requestBody"]["content"]
                forms = {"application/x-www-form-urlencoded"} | (
                    {"multipart/form-data"} if "import" in path else set()
                )
                assert set(content) == {"application/json", *forms}
                assert "csrf_token" in content["application/x-www-form-urlencoded"]["schema"]["properties"]
    submit = doc["paths"]["/api/papers"]["post"]
    assert submit["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SubmitBody"
    }
    assert set(submit["responses"]) >= {"200", "201", "202", "400", "401", "403", "429"}
    assert submit["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
