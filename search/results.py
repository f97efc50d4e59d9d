from dataclasses import dataclass, field
from datetime import datetime

from django.utils.dateparse import parse_datetime

from .documents import type_label


@dataclass
class Hit:
    key: str
    doc_type: str
    title: str
    url: str
    summary: str
    highlight: str  # safe HTML: escaped text with <mark> around the matches
    date: datetime | None = None
    parent_key: str = ""  # a recommendation's briefing: results are grouped by it

    @property
    def type_label(self):
        return type_label(self.doc_type)

    def as_json(self):
        return {
            "title": self.title,
            "url": self.url,
            "type": self.doc_type,
            "type_label": self.type_label,
            "summary": self.summary,
            "highlight": str(self.highlight),
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass
class SearchResults:
    total: int
    hits: list
    facets: dict  # facet name -> [(value, count)], values as strings
    source: str  # "engine" or "database"
    fallback: bool = False  # the engine failed and the database answered instead
    suggestion: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Matches:
    """A page of the matches' keys in the order asked for, how many matched and the facets:
    for pages that list the items themselves."""

    keys: list
    total: int
    facets: dict  # as SearchResults.facets
    source: str
    fallback: bool = False


def parse_date(value):
    return parse_datetime(value) if value else None
