"""Posts are written in Markdown and shown as sanitised HTML.

markdown-it-py renders with raw HTML switched off, then nh3 (the Ammonia sanitiser) keeps only
the tags a post needs, only http(s) and mailto links, and gives every link
``rel="nofollow noopener noreferrer"``: nothing a member writes can run in another's browser.
"""

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "hr",
}  # fmt: skip
HEADING_LEVELS = {"1": "3", "2": "3", "3": "4", "4": "4", "5": "4", "6": "4"}
HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def render_markdown(text: str) -> str:
    html = _markdown.render(text or "")
    # Headings in a post sit below the page's own h1 and h2.
    html = HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{HEADING_LEVELS[m.group(2)]}>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        set_tag_attribute_values={
            "a": {"class": "govuk-link"},
            "p": {"class": "govuk-body"},
            "ul": {"class": "govuk-list govuk-list--bullet"},
            "ol": {"class": "govuk-list govuk-list--number"},
            "h3": {"class": "govuk-heading-s"},
            "h4": {"class": "govuk-heading-s"},
            "blockquote": {"class": "govuk-inset-text"},
        },
    )


def quote_markdown(author_name: str, text: str) -> str:
    """The Markdown that quotes ``text`` at the start of a reply."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in (text or "").splitlines())
    return f"{author_name} wrote:\n\n{quoted}\n\n"
