"""Snippets cut between words: never inside one, the match kept, "…" only where text was cut.

On the database ``search.database.snippet`` builds them; on the engine the unified highlighter
does (``search.queries.search_body``), and the last test checks it through the search API.
"""

import re

import pytest

from kx_site.audience import Audience
from search.database import snippet
from search.models import SearchEntry
from search.queries import SNIPPET_LENGTH
from tests.practice_library.factories import PracticePageFactory

# Distinct words, so a snippet's words can be checked against the body's.
WORDS = [f"word{n}" for n in range(400)]


def entry(body, summary="Nothing to see in the summary."):
    return SearchEntry(summary=summary, body=body)


def shown_text(html):
    """The snippet's text without its marks and ellipses, as the body has it (escaped)."""
    return html.replace("<mark>", "").replace("</mark>", "").strip("…")


def assert_whole_words(html, body):
    """The snippet is a run of the body's whole words, with "…" exactly where text was cut."""
    text = shown_text(html)
    start = body.index(text)
    end = start + len(text)
    assert not text[0].isspace() and not text[-1].isspace()
    # Whole words: whitespace (or the body's edge) on each side of the shown text.
    assert start == 0 or body[start - 1].isspace()
    assert end == len(body) or body[end].isspace()
    assert html.startswith("…") == bool(body[:start].strip())
    assert html.endswith("…") == bool(body[end:].strip())
    return start, end


def test_a_match_deep_in_a_long_body_is_shown_among_whole_words():
    body = " ".join([*WORDS[:200], "the curlew landed here", *WORDS[200:]])
    html = snippet(entry(body), ["curlew"])
    assert "<mark>curlew</mark>" in html
    start, end = assert_whole_words(html, body)
    assert start > 0 and end < len(body)
    assert end - start <= SNIPPET_LENGTH
    # Some context before the match and more after it, as before the change.
    before, after = shown_text(html).split("curlew")
    assert 0 < len(before) <= SNIPPET_LENGTH // 3 + len("word100 ")
    assert len(after) > len(before)


@pytest.mark.parametrize("offset", range(0, 12))
def test_no_window_position_starts_or_ends_inside_a_word(offset):
    # Words of uneven lengths, the match shifted one character at a time: wherever the plain
    # window would fall, the snippet moves to whole words.
    words = [("x" * (1 + n % 9)) + str(n) for n in range(120)]
    body = "a" * offset + " " + " ".join([*words[:60], "curlew", *words[60:]])
    html = snippet(entry(body), ["curlew"])
    assert "<mark>curlew</mark>" in html
    start, end = assert_whole_words(html, body)
    assert end - start <= SNIPPET_LENGTH


def test_a_match_near_the_start_shows_the_opening_without_a_leading_ellipsis():
    body = " ".join(["Curlews", "nest", "here", *WORDS])
    html = snippet(entry(body), ["curlew"])
    assert html.startswith("<mark>Curlew</mark>s nest here word0")
    assert html.endswith("…") and not html.startswith("…")
    assert_whole_words(html, body)


def test_a_match_near_the_end_fills_the_window_with_the_words_before_it():
    body = " ".join([*WORDS, "the", "curlew", "landed."])
    html = snippet(entry(body), ["curlew"])
    assert html.endswith("<mark>curlew</mark> landed.")
    assert html.startswith("…")
    start, end = assert_whole_words(html, body)
    assert end == len(body)
    # The text ended after the match, so the room left goes to the words before it.
    assert end - start > SNIPPET_LENGTH - len(" word100")


def test_a_short_text_is_shown_whole_without_ellipses():
    summary = "Joint visits with the police: give both agencies a say."
    html = snippet(entry("", summary=summary), ["visit"])
    assert html == "Joint <mark>visit</mark>s with the police: give both agencies a say."


def test_punctuation_stays_with_its_word():
    # The complaint: "…n: give both…", a word cut before its colon.
    question = "Who leads the joint visit when the family has asked the police to attend?"
    body = f"{' '.join(WORDS[:50])} {question} Answer: give both agencies a say. " + " ".join(
        WORDS[50:]
    )
    html = snippet(entry(body), ["agencies"])
    assert_whole_words(html, body)
    text = shown_text(html)
    assert re.match(r"\S+", text).group() in body.split()
    assert "<mark>agencies</mark>" in html


def test_a_word_longer_than_the_window_is_cut_around_the_match():
    # Nothing whole fits, so the one long word is cut, and "…" says so on both sides.
    long_word = "a" * 300 + "curlew" + "b" * 300
    body = f"before {long_word} after"
    html = snippet(entry(body), ["curlew"])
    assert "<mark>curlew</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(shown_text(html)) <= SNIPPET_LENGTH


def test_a_long_word_next_to_the_match_is_left_out_not_cut():
    long_word = "https://example.org/" + "x" * 200
    body = f"{' '.join(WORDS[:5])} the curlew {long_word} {' '.join(WORDS[5:])}"
    html = snippet(entry(body), ["curlew"])
    assert html == f"{' '.join(WORDS[:5])} the <mark>curlew</mark>…"


def test_the_body_stays_escaped_and_only_matches_are_marked():
    script = "<script>alert('curlew')</script>"
    body = " ".join([*WORDS[:100], script, *WORDS[100:]])
    html = snippet(entry(body), ["curlew"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>curlew</mark>&#x27;)&lt;/script&gt;" in html
    assert re.sub(r"</?mark>", "", html).count("<") == 0


def test_with_no_literal_match_the_summary_opening_is_cut_between_words():
    summary = " ".join(WORDS[:100])
    html = snippet(entry("", summary=summary), ["studi"])
    assert html.endswith("…") and not html.startswith("…")
    assert_whole_words(html, summary)


@pytest.mark.django_db
def test_the_api_snippet_of_a_deep_match_starts_and_ends_between_words(backend, client):
    """Through the search API on each backend (the engine's only in CI, where SEARCH_URL is
    set): the highlighter's fragment is whole words of the body."""
    sentence = " ".join(WORDS[:300])  # one long sentence: the fragment must be cut inside it
    body = f"{sentence} the curlew landed here {sentence}"
    PracticePageFactory(
        title="Whimbrel practice",
        audience=Audience.PUBLIC,
        summary="Nothing to see in the summary.",
        description=body,
    )
    backend.index()
    results = client.get("/api/search/", {"q": "curlew"}).json()["results"]
    assert len(results) == 1
    html = results[0]["highlight"]
    assert "<mark>curlew</mark>" in html
    text = shown_text(html).strip()
    words = text.split()
    # Every word shown is one of the body's words, whole: none starts or ends mid-word.
    assert set(words) <= {*WORDS[:300], "the", "curlew", "landed", "here"}
    assert len(words) > 3
