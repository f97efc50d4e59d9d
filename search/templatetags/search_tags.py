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
