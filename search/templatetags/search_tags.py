import re

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("search/related.html", takes_context=True)
def related_practice(context, page):
    """Practices like ``page`` that the reader may see (more-like-this)."""
    request = context.get("request")
    if request is None or not page.pk:
        return {"related": []}
    return {"related": selectors.related(f"practice:{page.pk}", request.user)}


# The library's filters that a tag can remove, in the order the form shows them.
LIBRARY_FILTERS = ("topics", "does_it_work", "evidence_stage", "organisation_kind", "organisation")
_COUNT = re.compile(r" \(\d+\)$")


@register.simple_tag(takes_context=True)
def chosen_library_filters(context, form):
    """The library form's chosen filters as [{"facet", "label", "querystring"}]: each
    querystring is this page's without that one value (and from the first page), so that each
    chosen filter shows as a tag that removes it, without JavaScript."""
    request = context["request"]
    if not form.is_valid():
        return []
    chosen = []
    for name in LIBRARY_FILTERS:
        field = form.fields[name]
        values = form.cleaned_data.get(name) or []
        if isinstance(values, str):
            values = [values]
        # The labels carry the counts ``show_counts`` added: "MAPPA (3)".
        labels = {str(value): _COUNT.sub("", str(label)) for value, label in field.choices}
        for value in values:
            remaining = request.GET.copy()
            remaining.setlist(name, [v for v in remaining.getlist(name) if v != value])
            remaining.pop("page", None)
            chosen.append(
                {
                    "facet": field.label,
                    "label": labels.get(value, value),
                    "querystring": remaining.urlencode(),
                }
            )
    return chosen
