"""Code repositories: the link a paper's abstract or arXiv comment gives to its code, and the GitHub
repository a link names. Pure; no I/O. docs/ui.md says which hosts count and why.

Written for how arXiv abstracts really name their code: "Code: https://github.com/o/r." (a sentence's
full stop), "\\href{https://github.com/o/r}{here}" and "\\url{...}" (LaTeX left in the abstract),
"(https://github.com/o/r)", ".git" clone URLs, "/tree/main/sub" deep links, "e3nn\\_U-Net" (an escaped
underscore) and "\\footnote{https://github.com/o/r}".
"""

from __future__ import annotations

import re

from paperwire.models.repos import GithubRepo

# Hosts of source repositories. Hugging Face Spaces and Models are demos and weights, and github.io
# pages are project pages: none of them is the code. GitLab nests groups (gitlab.com/g/sub/project),
# so its path runs to GitLab's "/-/" separator or the end of the link; the others are owner/name.
_HOSTS = {"github.com": "github.com", "gitlab.com": "gitlab.com", "codeberg.org": "codeberg.org"}
_SEGMENT = r"[A-Za-z0-9](?:[A-Za-z0-9._-]|\\_)*"
_PATH = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
# Found with str.find, which is many times faster than a regex that has to try every position (the
# first letter is left out: it may be upper case, as in "GitHub.com").
_NEEDLES = (
    ("ithub.com/", "github.com"),
    ("itHub.com/", "github.com"),
    ("itlab.com/", "gitlab.com"),
    ("odeberg.org/", "codeberg.org"),
)
# First path segments that are GitHub's own pages, not an owner.
_NOT_OWNERS = frozenset(
    [
        "about",
        "apps",
        "collections",
        "enterprise",
        "explore",
        "features",
        "issues",
        "login",
        "marketplace",
        "notifications",
        "orgs",
        "pricing",
        "pulls",
        "search",
        "settings",
        "site",
        "sponsors",
        "topics",
        "trending",
        "users",
    ]
)
_GITHUB_REPO = re.compile(r"https://github\.com/([A-Za-z0-9_.-]{1,100})/([A-Za-z0-9_.-]{1,100})")


def code_link(*texts: str | None) -> str | None:
    """The first repository link in the texts (an abstract, then a comment), as https://host/path."""
    for text in texts:
        if not text:
            continue
        found = []
        for needle, host in _NEEDLES:
            at = text.find(needle)
            while at > 0:
                if text[at - 1] in (host[0], host[0].upper()):
                    found.append((at - 1, at + len(needle), host))
                at = text.find(needle, at + 1)
        for start, path_at, host in sorted(found):
            if not _starts_link(text, start):
                continue
            m = _PATH.match(text, path_at)
            link = _repository(host, m.group()) if m else None
            if link:
                return link
    return None


def _starts_link(text: str, start: int) -> bool:
    """Whether the host at `start` begins a link: not inside a word or another host (foo.github.com),
    "www." apart."""
    if start == 0 or text.endswith("www.", 0, start):
        return True
    return not (text[start - 1].isalnum() or text[start - 1] in "._-")


def _repository(host: str, path: str) -> str | None:
    parts = [p.replace("\\_", "_") for p in path.split("/")]
    # GitLab: a segment never starts with "-", so the path has stopped at its "/-/". Elsewhere
    # /tree/main/sub, /blob/... and /releases are inside the repository, which is owner/name.
    parts = parts[:6] if host == "gitlab.com" else parts[:2]
    if len(parts) < 2:
        return None  # an owner's page, or a link cut short ("https://github.com/SAI-")
    if any(len(p) > 100 for p in parts):
        return None  # longer than the hosts allow a name to be
    if host == "github.com" and parts[0].lower() in _NOT_OWNERS:
        return None
    name = parts[-1]
    while True:  # "repo.git." and "repo." at a sentence's end
        trimmed = name.rstrip(".")
        trimmed = trimmed[:-4] if trimmed.lower().endswith(".git") else trimmed
        if trimmed == name:
            break
        name = trimmed
    if not name or name.startswith("."):
        return None
    parts[-1] = name
    return f"https://{_HOSTS[host]}/{'/'.join(parts)}"


def github_repo(link: str | None) -> str | None:
    """'owner/name' for a link to a GitHub repository (as code_link writes it), else None."""
    m = _GITHUB_REPO.fullmatch(link or "")
    return f"{m.group(1)}/{m.group(2)}" if m else None


def repo_key(owner_name: str) -> str:
    return owner_name.lower()


def stars_of(link: str | None, repos: dict[str, GithubRepo]) -> int | None:
    """The recorded stars of the GitHub repository a code link names, if any."""
    name = github_repo(link)
    repo = repos.get(repo_key(name)) if name else None
    return repo.stars if repo else None


def by_stars(papers: list, stars: dict[str, int | None]) -> list:
    """Papers with code ranked by their repository's stars, most first; papers whose stars are not
    known (not on GitHub, not checked yet) follow. Ties, and the unknowns, keep the given order."""
    # sorted() is stable: equal keys keep the given order.
    return sorted(papers, key=lambda p: (stars.get(p.paper.id) is None, -(stars.get(p.paper.id) or 0)))
