"""Comments: one comment with its stored HTML (rendering is comments.py's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Comments are rendered once, when posted, and the HTML is stored with this number. Raise it whenever the
# rendering changes (markdown-it options, the allowlist below): `serve` then re-renders the stored
# comments at start-up, and until it has, a comment of an older version is rendered when it is read.
RENDERER_VERSION = 1


@dataclass(slots=True)
class Comment:
    """A comment on a paper; `body` is the Markdown source as written, `html` its safe rendering
    (`rendered`, as stored when it was posted; None when stored by an older renderer)."""

    id: int
    paper_id: str
    user_id: int
    author: str  # the display name at the time it is shown
    body: str
    created_at: datetime
    hidden: bool = False
    rendered: str | None = None

    @property
    def html(self) -> str:
        if self.rendered is not None:
            return self.rendered
        from paperwire.comments import render_markdown  # pure; stored by an older renderer: render now

        return render_markdown(self.body)
