"""The comment model and its Markdown, rendered to HTML that is safe to put in a page. No I/O."""

from __future__ import annotations

import functools
import re

# A comment's length cap, in characters after validation: past it, a 400 JSON error or the form's error.
MAX_COMMENT_CHARS = 10_000

# Tabs and newlines stay; other control characters have no business in a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote"),
        *("ul", "ol", "li", "a", "h4", "h5", "h6"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"


class InvalidComment(ValueError):
    """A comment body that cannot be posted; the message says why in one line."""


def validate_comment_body(text: str) -> str:
    """The body to store: stripped, with Windows line ends and control characters removed."""
    if not isinstance(text, str):
        raise InvalidComment(f"a comment must be text, got {type(text).__name__}")
    body = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise InvalidComment("a comment cannot be empty")
    if len(body) > MAX_COMMENT_CHARS:
        raise InvalidComment(
            f"a comment is at most {MAX_COMMENT_CHARS:,} characters; this one has {len(body):,}"
        )
    return body


@functools.cache
def _renderer():
    """The Markdown parser and the sanitiser, built on first use: every command that opens the store
    imports this module (the Comment model), and few of them render a comment."""
    import nh3
    from markdown_it import MarkdownIt

    # html=False: raw HTML in a comment is shown as text, never parsed as markup. Images are off, so
    # ![alt](url) shows as a link: no tracking pixels, no hot-linked pictures in the page.
    markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("image")
    # The sanitiser is the second wall: whatever the Markdown renderer emits, only this allowlist survives.
    cleaner = nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        # "*": nothing on every tag, or ammonia's defaults (title, lang) would be allowed everywhere.
        attributes={"*": set()} | {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        url_relative="deny",  # only absolute http(s)/mailto links; relative ones lose their href
        link_rel=LINK_REL,
    )
    return markdown, cleaner


def render_markdown(text: str) -> str:
    """CommonMark (plus tables and ~~strikethrough~~) to sanitised HTML; raw HTML stays text."""
    _markdown, _cleaner = _renderer()
    tokens = _markdown.parse(text)
    for token in tokens:
        # Headings in a comment sit under the page's own h1-h3: # becomes h4, ## h5, the rest h6.
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 3)}"
    return _cleaner.clean(_markdown.renderer.render(tokens, _markdown.options, {}))
