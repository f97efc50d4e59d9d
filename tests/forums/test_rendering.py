"""Posts are Markdown rendered to sanitised HTML: nothing a member writes can run."""

from html.parser import HTMLParser

import pytest

from forums.rendering import quote_markdown, render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.png)",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<body onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '"><script>alert(1)</script>',
    "<details open ontoggle=alert(1)>",
    '[x](https://ok.example "title" onmouseover=alert(1))',
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<style>body{display:none}</style>",
]


SAFE_TAGS = {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html):
    """Every element the browser would build from ``html``, as (tag, attributes)."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_render_as_harmless_text(payload):
    tags = elements(render_markdown(f"Before {payload} after"))

    assert {tag for tag, _attrs in tags} <= SAFE_TAGS
    for _tag, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")]
        assert set(attrs) <= {"href", "title", "class", "rel", "start"}
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("https:", "http:", "mailto:"))


def test_markdown_formatting_is_kept_with_govuk_classes():
    html = render_markdown("**bold** _it_\n\n- one\n- two\n\n> quoted\n\n## Heading")

    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<blockquote class="govuk-inset-text">' in html
    # Headings in a post sit below the page's own headings.
    assert "<h3" in html and "<h2" not in html


def test_links_are_safe_and_marked_nofollow_noopener():
    html = render_markdown("[guidance](https://www.college.police.uk/app)")

    assert 'href="https://www.college.police.uk/app"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert 'class="govuk-link"' in html


def test_quoting_puts_each_line_in_a_blockquote():
    assert quote_markdown("Alex Police", "line one\n\nline two") == (
        "Alex Police wrote:\n\n> line one\n>\n> line two\n\n"
    )
