"""The registry of searchable content types: one SearchDocument per model.

A content app joins search by registering its documents from its ``AppConfig.ready``
(``search.registry.register_document``), as the practice library does
(``practice_library.search_documents``).
The events, briefings and forums documents are still defined here and listed in ``DOCUMENTS``.
"""

from .briefings import BRIEFING, RECOMMENDATION
from .events import EVENT, SESSION
from .forums import POST, THREAD

# Filled in place by registration: other modules keep references to these.
DOCUMENTS = [BRIEFING, RECOMMENDATION, EVENT, SESSION, THREAD, POST]
BY_TYPE = {document.doc_type: document for document in DOCUMENTS}
UNSUGGESTED_TYPES = [document.doc_type for document in DOCUMENTS if not document.in_suggestions]


def document_for_model(model):
    for document in DOCUMENTS:
        if issubclass(model, document.model):
            return document
    return None


def type_label(doc_type):
    document = BY_TYPE.get(doc_type)
    return document.label if document else doc_type
