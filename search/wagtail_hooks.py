from wagtail import hooks

from . import signals


@hooks.register("reindex_for_search")
def reindex_for_search(instance):
    """Re-index ``instance`` after commit: for changes made without signals (forum moderation,
    ``forums.services.reindex_moderated``), so that the forums need not import search."""
    signals.queue_index_update(instance)
