"""Publishing, unpublishing, moving and deleting searchable content queue an index update."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .documents import DOCUMENTS, document_for_model


def queue_index_update(instance):
    model = type(instance)
    if document_for_model(model) is None:
        return
    label, pk = model._meta.label, instance.pk
    from .tasks import index_object

    transaction.on_commit(lambda: index_object.enqueue(model_label=label, pk=pk))


def on_page_changed(sender, instance, **kwargs):
    queue_index_update(instance.specific if hasattr(instance, "specific_class") else instance)


def on_page_moved(sender, instance, **kwargs):
    # Every searchable page below a moved page has a new URL.
    for page in instance.get_descendants(inclusive=True).live().specific():
        queue_index_update(page)


def on_deleted(sender, instance, **kwargs):
    queue_index_update(instance)


def on_trigger(function):
    def handler(sender, instance, **kwargs):
        for target in function(instance):
            queue_index_update(target)

    return handler


_trigger_handlers = []


def connect():
    page_published.connect(on_page_changed, dispatch_uid="search_page_published")
    page_unpublished.connect(on_page_changed, dispatch_uid="search_page_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="search_page_moved")
    page_slug_changed.connect(on_page_moved, dispatch_uid="search_page_slug_changed")
    for document in DOCUMENTS:
        post_delete.connect(
            on_deleted, sender=document.model, dispatch_uid=f"search_deleted_{document.doc_type}"
        )
        for n, (model, function) in enumerate(document.triggers()):
            handler = on_trigger(function)
            _trigger_handlers.append(handler)  # signals hold weak references
            for signal in (post_save, post_delete):
                signal.connect(
                    handler,
                    sender=model,
                    dispatch_uid=f"search_{document.doc_type}_trigger_{n}_{signal is post_save}",
                )
