"""Pure parsing of GitHub's REST API answer to GET /repos/{owner}/{repo}: the repository's name as
GitHub spells it now and its stars."""

from __future__ import annotations

import json

from paperwire.ingest.xmlsafe import BadResponse

API_VERSION = "2022-11-28"  # X-GitHub-Api-Version: the shape below is this version's


def parse_repo(body: bytes) -> tuple[str, int]:
    """(full_name, stargazers_count) of a repository object; BadResponse with a one-line reason."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadResponse(f"GitHub: malformed or truncated JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BadResponse(f"GitHub: expected a repository object, got {type(data).__name__}")
    full_name, stars = data.get("full_name"), data.get("stargazers_count")
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        raise BadResponse(f"GitHub: the repository object has no owner/name full_name ({full_name!r})")
    if not isinstance(stars, int) or isinstance(stars, bool) or stars < 0:
        raise BadResponse(f"GitHub: {full_name} has no stargazers_count ({stars!r})")
    return full_name, stars
