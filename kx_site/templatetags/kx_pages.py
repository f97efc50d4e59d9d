"""Tags for the site's page templates."""

from django import template

from kx_site.routing import ROUTE_ANCESTORS_ATTRIBUTE

register = template.Library()


@register.simple_tag
def breadcrumb_ancestors(page):
    """``page``'s ancestors below the tree's root, from the top: those its URL was found through
    (``kx_site.routing``), or else asked for."""
    ancestors = getattr(page, ROUTE_ANCESTORS_ATTRIBUTE, None)
    if ancestors is None:
        ancestors = page.get_ancestors()
    return [ancestor for ancestor in ancestors if not ancestor.is_root()]
