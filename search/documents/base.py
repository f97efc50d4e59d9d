"""What a content type gives search: which objects are searchable and what each one says."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.html import strip_tags

from kx_site.audience import Audience


@dataclass
class EntryData:
    """The searchable fields of one item; ``search.indexing`` writes them to a SearchEntry."""

    title: str
    url: str
    summary: str = ""
    body: str = ""
    topics: list = field(default_factory=list)  # (slug, name) pairs
    # What an item takes from its parent (a recommendation from its briefing, a session from its
    # event): filtered on like its own, but searched below its own words, so that a briefing's
    # topic does not rank each of its recommendations above items that are about that topic.
    inherited_topics: list = field(default_factory=list)  # (slug, name) pairs
    inherited_text: str = ""  # such as the parent's title
    does_it_work: str = ""
    evidence_stage: str = ""
    organisation_kind: str = ""
    organisation: str = ""
    date: datetime | date | None = None
    # For listings: when first published ("newest first"), and the content type's own order
    # ("strongest first", higher first).
    published_at: datetime | None = None
    listing_rank: int = 0
    parent_key: str = ""
    audience: str = Audience.PRACTITIONERS
    restricted_to_kinds: list = field(default_factory=list)
    restricted_to_organisation_ids: list = field(default_factory=list)
    marking: str = ""


def audience_of(item):
    """The audience fields of anything with ``AudienceMixin``, as EntryData keywords."""
    return {
        "audience": item.audience,
        "restricted_to_kinds": list(item.restricted_to_kinds),
        "restricted_to_organisation_ids": [o.pk for o in item.restricted_to_organisations.all()],
        "marking": item.marking,
    }


def stream_text(stream_value):
    """The plain text of a StreamField, without rendering its templates."""
    parts = []

    def walk(value):
        if isinstance(value, str):
            parts.append(strip_tags(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in ("type", "id"):
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(stream_value.get_prep_value() if stream_value is not None else [])
    return " ".join(p.strip() for p in parts if p and p.strip())


class SearchDocument:
    """One content type's definition. Subclasses set ``model``, ``doc_type`` and ``label``."""

    model = None
    doc_type = ""
    label = ""
    # Offered as you type. Items whose titles repeat another's (forum replies) are left out.
    in_suggestions = True
    # Results take their title from ``display_titles`` rather than the indexed one, which holds
    # only the item's own words (a recommendation's number, not its briefing's title).
    titled_on_display = False

    def key(self, pk):
        return f"{self.doc_type}:{pk}"

    def queryset(self):
        """Every object that should be in the index, ready for ``entry``."""
        raise NotImplementedError

    def entry(self, obj):
        """The EntryData for one object from ``queryset``."""
        raise NotImplementedError

    def display_titles(self, pks):
        """{pk: title} for items indexed without a title of their own (see forum replies), or
        with only part of the one they show (``titled_on_display``)."""
        return {}

    def is_searchable(self, obj):
        return self.queryset().filter(pk=obj.pk).exists()

    def triggers(self):
        """(model, function) pairs: saving or deleting an instance of ``model`` re-indexes the
        objects ``function(instance)`` returns. Wagtail pages need none: publishing,
        unpublishing, moving and deleting are handled for every page type."""
        return []

    def dependants(self, obj):
        """(document, object) pairs indexed along with ``obj``, such as an event's sessions."""
        return []


def page_url(page):
    return page.get_url() or page.url_path
