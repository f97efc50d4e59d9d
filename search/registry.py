"""Where content apps plug into search: their documents and what search needs of their facets.

Search owns the engine, the index, the queries and the pages; it imports no content app for
these. An app declares its ``SearchDocument`` and the facets whose values it owns (labels,
allowed choices, every value) from its ``AppConfig.ready``, before search's own ``ready`` runs
(``INSTALLED_APPS`` lists the content apps first).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FacetSource:
    """What an app tells search about a facet's values (``search.queries.FACETS``)."""

    # {value: label} for the given values, as people read them.
    labels: object = None
    # Allowed values for the search form, as (value, label) pairs; None accepts any slug.
    choices: tuple | None = None
    # Every value there is (the topic vocabulary), for the database's counts of a list field.
    all_values: object = None


FACET_SOURCES = {}
# {doc_type: order} of the registered documents: ``DOCUMENTS`` is kept in this order.
DOCUMENT_ORDER = {}


def register_document(document, *, order):
    """Make ``document`` searchable: indexed, listed in ``search.documents.DOCUMENTS``.

    ``DOCUMENTS`` (and so the search form's content types) is kept in ascending ``order``,
    whatever order the apps register in: practice 10, briefing 20, recommendation 30, event 40,
    event session 50, forum thread 60, forum reply 70.
    """
    from .documents import BY_TYPE, DOCUMENTS, UNSUGGESTED_TYPES

    if document.doc_type in BY_TYPE:
        return
    DOCUMENT_ORDER[document.doc_type] = order
    DOCUMENTS.append(document)
    DOCUMENTS.sort(key=lambda d: DOCUMENT_ORDER[d.doc_type])
    BY_TYPE[document.doc_type] = document
    if not document.in_suggestions:
        UNSUGGESTED_TYPES.append(document.doc_type)
        UNSUGGESTED_TYPES.sort(key=DOCUMENT_ORDER.__getitem__)


def register_facet(name, *, labels=None, choices=None, all_values=None):
    """Declare where facet ``name``'s labels, choices and values come from."""
    FACET_SOURCES[name] = FacetSource(
        labels=labels,
        choices=tuple(choices) if choices is not None else None,
        all_values=all_values,
    )


def facet_labels(name, values):
    source = FACET_SOURCES.get(name)
    if source is None:
        return {v: v for v in values}
    if source.labels is not None:
        return source.labels(values)
    if source.choices is not None:
        labels = dict(source.choices)
        return {v: labels.get(v, v) for v in values}
    return {v: v for v in values}


def facet_choices(name):
    source = FACET_SOURCES.get(name)
    return list(source.choices) if source and source.choices is not None else []


def all_facet_values(name):
    source = FACET_SOURCES.get(name)
    return list(source.all_values()) if source and source.all_values else []
