"""The registry of searchable content types: one SearchDocument per model.

Every content app joins search by registering its documents from its ``AppConfig.ready``
(``search.registry.register_document``): ``practice_library``, ``briefings``, ``events`` and
``forums``, each in its ``search_documents`` module. Search imports none of them.
"""

# Filled in place by registration: other modules keep references to these.
DOCUMENTS = []
BY_TYPE = {}
UNSUGGESTED_TYPES = []


def document_for_model(model):
    for document in DOCUMENTS:
        if issubclass(model, document.model):
            return document
    return None


def type_label(doc_type):
    document = BY_TYPE.get(doc_type)
    return document.label if document else doc_type
