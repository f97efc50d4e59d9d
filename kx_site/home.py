"""The home page's sections: each app registers what it shows there, and this module only
assembles them for a reader.

An app registers a section with ``@home_section`` on a function of the reader that returns the
names its template uses (the app's ``home`` module, imported by its ``AppConfig.ready``). Every
section must list only what its app's own listing would show that reader (its ``visible_to``,
``visibility_q`` or selector), and in one query with a LIMIT, so that the home page can never
show a title its listing would hide, and its query count does not grow with the data.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page


@dataclass(frozen=True)
class HomeSection:
    name: str  # its key in ``indexes`` for its "All ..." link
    template: str  # rendered with the home page's context, the section's names added
    context: Callable[[object], dict]  # the reader -> the names the template uses
    order: int  # top to bottom, then left to right
    index_page: str | None  # "app_label.ModelName" of its listing page, if it links to one
    wide: bool  # a row of its own; other sections go two to a row


_sections: dict[str, HomeSection] = {}


def home_section(name, *, template, order, index_page=None, wide=False):
    """Register the decorated function, of the reader, as the home page section ``name``."""

    def register(context):
        _sections[name] = HomeSection(name, template, context, order, index_page, wide)
        return context

    return register


def home_sections() -> list[HomeSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))


def home_context(home, user) -> dict:
    """Every section's names for ``user``, the sections in ``rows``, and the listing pages
    under ``home`` the sections link to as ``indexes``."""
    sections = home_sections()
    context = {}
    for section in sections:
        names = section.context(user)
        clash = context.keys() & names.keys()
        if clash:
            raise ValueError(f"Home page section {section.name} repeats the names {clash}")
        context.update(names)
    context["rows"] = _rows(sections)
    context["indexes"] = section_indexes(home, sections)
    return context


def _rows(sections):
    rows = []
    for section in sections:
        if section.wide or not rows or rows[-1][-1].wide or len(rows[-1]) == 2:
            rows.append([section])
        else:
            rows[-1].append(section)
    return rows


def section_indexes(home, sections):
    """The live listing pages under ``home`` by section name (``"events"``, ``"briefings"``,
    ``"library"``), for the "All ..." links, in one query; a missing one is left out."""
    models = {
        section.name: apps.get_model(section.index_page)
        for section in sections
        if section.index_page
    }
    # get_for_models reads Django's content type cache: no query once it is warm.
    content_types = ContentType.objects.get_for_models(*models.values())
    names = {content_types[model].pk: name for name, model in models.items()}
    indexes = {}
    # Plain Page rows: enough for a URL, and no query per page type.
    for page in (
        Page.objects.child_of(home).live().filter(content_type_id__in=names).order_by("path")
    ):
        indexes.setdefault(names[page.content_type_id], page)
    return indexes
