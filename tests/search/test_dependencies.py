"""Search is a service the content apps plug into (docs/architecture.md): the practice library
registers its search document and facets with ``search.registry``, and search imports nothing
of the library (outside migrations)."""

import re
from pathlib import Path

import search

IMPORTS_THE_LIBRARY = re.compile(r"^\s*(from|import)\s+practice_library\b", re.MULTILINE)


def test_search_imports_no_practice_library():
    root = Path(search.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for match in IMPORTS_THE_LIBRARY.finditer(path.read_text())
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
