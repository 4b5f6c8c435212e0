"""Comments: Markdown renders to the expected HTML; no payload gets markup, handlers or scripts through."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from paperwire.comments import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MAX_COMMENT_CHARS,
    InvalidComment,
    render_markdown,
    validate_comment_body,
)
from paperwire.models.comments import Comment

REL = ' rel="nofollow noopener ugc"'


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<ScRiPt>alert(String.fromCharCode(88,83,83))</sCrIpT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="color:red" onclick="alert(1)">x</p>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;script:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    '![x](https://example.org/a.png "title" onerror="alert(1)")',
    "<javascript:alert(1)>",
    '[x](https://example.org/"onmouseover="alert(1))',
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "**<script>alert(1)</script>**",
    "<<script>script>alert(1)<</script>/script>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)"></style></mglyph></table></mtext>',
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "<!--<img src=--><img src=x onerror=alert(1)//-->",
    "`<script>` is fine in code, as is ```<img onerror=x>```",
    "    <script>alert('indented code')</script>",
]


@pytest.mark.parametrize("payload", XSS)
def test_no_payload_survives_as_markup(payload):
    html = render_markdown(payload)
    assert "<script" not in html.lower()
    for tag, attrs in Tags(html).tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs, html)
        assert not any(re.match(r"on", name) for name in attrs)
        if "href" in attrs:
            assert re.match(r"(https?|mailto):", attrs["href"] or ""), html
    # The same checks on the raw text, in case the parser above reads something differently.
    assert not re.search(r"<[^>]*\s(on\w+|style|src)\s*=", html, re.IGNORECASE), html
    assert not re.search(r"<a\s[^>]*href=\"?\s*(javascript|data|vbscript):", html, re.IGNORECASE), html


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>bold?</b> <script>x</script>") == (
        "<p>&lt;b&gt;bold?&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;</p>\n"
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*em* and _em_, **strong**", "<p><em>em</em> and <em>em</em>, <strong>strong</strong></p>\n"),
        ("use `x < y` here", "<p>use <code>x &lt; y</code> here</p>\n"),
        ("```python\nif a < b:\n    pass\n```", "<pre><code>if a &lt; b:\n    pass\n</code></pre>\n"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
        ("> quoted\n> text", "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>\n"),
        (
            "[the paper](https://arxiv.org/abs/2503.11677?x=1&y=2)",
            f'<p><a href="https://arxiv.org/abs/2503.11677?x=1&amp;y=2"{REL}>the paper</a></p>\n',
        ),
        ("<https://example.org>", f'<p><a href="https://example.org"{REL}>https://example.org</a></p>\n'),
        ("[me](mailto:ada@example.org)", f'<p><a href="mailto:ada@example.org"{REL}>me</a></p>\n'),
        ("[rel](/papers/1) [proto](//example.org)", f"<p><a{REL}>rel</a> <a{REL}>proto</a></p>\n"),
        (
            "![a chart](https://example.org/c.png)",
            f'<p>!<a href="https://example.org/c.png"{REL}>a chart</a></p>\n',
        ),
        ("~~wrong~~ right", "<p><s>wrong</s> right</p>\n"),
        ("# Title\n### Sub", "<h4>Title</h4>\n<h6>Sub</h6>\n"),
        ("a  \nb\n\n---", "<p>a<br>\nb</p>\n<hr>\n"),
        (
            "| a | b |\n|:--|--:|\n| 1 | 2 |",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n",
        ),
        ("caf\u00e9 \U0001f600 & co", "<p>caf\u00e9 \U0001f600 &amp; co</p>\n"),
    ],
)
def test_markdown_renders(text, html):
    assert render_markdown(text) == html


def test_comment_html_is_the_rendered_body():
    c = Comment(1, "2503.11677", 7, "Ada", "**nice** <script>", datetime(2025, 3, 18, tzinfo=UTC))
    assert c.html == "<p><strong>nice</strong> &lt;script&gt;</p>\n"
    assert c.hidden is False


def test_validate_comment_body():
    assert validate_comment_body("  hello\r\nworld \x00\x1b\t! \n") == "hello\nworld \t!"
    assert len(validate_comment_body("x" * MAX_COMMENT_CHARS)) == MAX_COMMENT_CHARS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a comment cannot be empty"),
        (" \n\t \x00 ", "a comment cannot be empty"),
        ("x" * (MAX_COMMENT_CHARS + 1), "a comment is at most 10,000 characters; this one has 10,001"),
        (None, "a comment must be text, got NoneType"),
    ],
)
def test_invalid_comment_bodies(text, message):
    with pytest.raises(InvalidComment) as err:
        validate_comment_body(text)
    assert str(err.value) == message


def test_the_sanitiser_holds_on_its_own():
    # The second wall, fed raw HTML as if the Markdown renderer had let it through.
    from paperwire.comments import _renderer

    html = _renderer()[1].clean(
        '<p style="x" title="t" onclick="y">a</p><img src=x onerror=alert(1)><script>alert(1)</script>'
        '<a href="javascript:alert(1)">j</a><a href="HTTPS://example.org" target="_blank">h</a>'
        "<iframe></iframe>"
    )
    assert html == f'<p>a</p><a{REL}>j</a><a href="HTTPS://example.org"{REL}>h</a>'
