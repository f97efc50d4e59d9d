"""Posts are written in Markdown and shown as sanitised HTML.

markdown-it-py renders with raw HTML switched off, then nh3 (the Ammonia sanitiser) keeps only
the tags a post needs, only http(s) and mailto links, and gives every link
``rel="nofollow noopener noreferrer"``: nothing a member writes can run in another's browser.

An @mention of a member the caller names in ``mentionable`` becomes a link to their forum page.
It is made as Markdown tokens (so never inside a code span or another link, and its text is
escaped by the renderer like any other text) and then goes through the same sanitiser.
"""

import re
from collections.abc import Collection

import nh3
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.token import Token

# The one pattern for an @mention; services and notifications use it too. Not after a word
# character or another @, so that email addresses (name@force.police.uk) are not mentions.
MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9-]{0,58}[a-z0-9])", re.IGNORECASE)


def _link_mentions(state):
    """Core rule: split text tokens around @handles the renderer was told are members."""
    mentionable = state.env.get("mentionable")
    if not mentionable:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            if token.type != "text" or in_link:
                children.append(token)
                continue
            children.extend(_split_mentions(token.content, mentionable, state.env))
        block.children = children


def _split_mentions(text, mentionable, env):
    tokens, position = [], 0
    urls = env.setdefault("mention_urls", {})  # reverse() once per member, not per mention
    for match in MENTION.finditer(text):
        handle = match.group(1).lower()
        if handle not in mentionable:
            continue
        if match.start() > position:
            tokens.append(_text(text[position : match.start()]))
        if handle not in urls:
            urls[handle] = reverse("forums:member", args=[handle])
        link = Token("link_open", "a", 1)
        link.attrSet("href", urls[handle])
        tokens += [link, _text(match.group(0)), Token("link_close", "a", -1)]
        position = match.end()
    if position < len(text):
        tokens.append(_text(text[position:]))
    return tokens


def _text(content):
    token = Token("text", "", 0)
    token.content = content
    return token


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")
_markdown.core.ruler.push("mentions", _link_mentions)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "hr",
}  # fmt: skip
HEADING_LEVELS = {"1": "3", "2": "3", "3": "4", "4": "4", "5": "4", "6": "4"}
HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def mentioned_handles(text: str) -> set[str]:
    """The handles ``text`` mentions, lower-cased (handles are slugs)."""
    return {handle.lower() for handle in MENTION.findall(text or "")}


def render_markdown(text: str, *, mentionable: Collection[str] = ()) -> str:
    """``text`` as sanitised HTML; @mentions of the handles in ``mentionable`` are linked."""
    html = _markdown.render(text or "", {"mentionable": frozenset(mentionable)})
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
