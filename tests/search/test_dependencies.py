"""Search is a service the content apps plug into (docs/architecture.md): the practice library,
briefings, events and forums register their search documents and facets with
``search.registry``, and search imports none of them (outside migrations)."""

import re
from pathlib import Path

import search

CONTENT_APPS = ("practice_library", "events", "briefings", "forums")
IMPORTS_A_CONTENT_APP = re.compile(
    rf"^\s*(from|import)\s+({'|'.join(CONTENT_APPS)})\b", re.MULTILINE
)


def test_search_imports_no_content_app():
    root = Path(search.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for match in IMPORTS_A_CONTENT_APP.finditer(path.read_text())
    ]
    assert offenders == []


def test_the_library_registers_its_document_and_facets():
    from search.documents import BY_TYPE
    from search.registry import facet_choices, facet_labels

    assert BY_TYPE["practice"].label == "Practice"
    assert ("promising", "Promising") in [
        (v, str(label)) for v, label in facet_choices("does_it_work")
    ]
    assert facet_labels("evidence_stage", ["nonsense"]) == {"nonsense": "nonsense"}


def test_each_app_registers_its_documents():
    from search.documents import BY_TYPE

    assert {
        doc_type: BY_TYPE[doc_type].__module__
        for doc_type in ("briefing", "recommendation", "event", "session", "thread", "post")
    } == {
        "briefing": "briefings.search_documents",
        "recommendation": "briefings.search_documents",
        "event": "events.search_documents",
        "session": "events.search_documents",
        "thread": "forums.search_documents",
        "post": "forums.search_documents",
    }


def test_documents_keep_their_order_whatever_the_apps_order():
    """The order of ``DOCUMENTS`` is the search form's content types, as before the move."""
    from search.documents import DOCUMENTS, UNSUGGESTED_TYPES
    from search.forms import SearchForm

    order = ["practice", "briefing", "recommendation", "event", "session", "thread", "post"]
    assert [document.doc_type for document in DOCUMENTS] == order
    assert UNSUGGESTED_TYPES == ["recommendation", "post"]
    assert [value for value, _ in SearchForm().fields["type"].choices if value] == order
