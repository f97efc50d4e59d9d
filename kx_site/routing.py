"""Finding the page a URL names in one query for the whole path, instead of Wagtail's two a level.

Wagtail's ``Page.route`` walks the path one slug at a time: a query for the child with that slug,
then one for its specific page, for every level (four queries for ``/events/<event>/`` below the
home page, before the page's own). ``route_from`` asks once for every page on the path (each
level's page is the one at that depth with that slug whose tree path continues its parent's),
then loads the last one's specific page and lets its own ``route`` decide, as Wagtail's walk
would have ended. Where a page on the way routes its own sub-paths (a ``route`` other than
``Page.route``), or a slug is not found, it falls back to Wagtail's walk, which answers exactly
as before (the page, or ``Http404``).

The pages found on the way are the page's ancestors below the tree's root: they are kept on the
page (``kx_route_ancestors``) for the breadcrumbs (``kx_pages.breadcrumb_ancestors``), which
otherwise ask for them again.
"""

from django.db.models import Q
from wagtail.models import Page

ROUTE_ANCESTORS_ATTRIBUTE = "kx_route_ancestors"


def route_from(root, request, path_components):
    """What ``Page.route(root, request, path_components)`` returns, in two queries."""
    if not path_components:
        return Page.route(root, request, path_components)
    levels = Q()
    for offset, slug in enumerate(path_components, start=1):
        levels |= Q(depth=root.depth + offset, slug=slug)
    found = list(Page.objects.filter(levels, path__startswith=root.path).order_by("path"))
    parent, chain = root, []
    for offset, slug in enumerate(path_components, start=1):
        page = next(
            (
                candidate
                for candidate in found
                if candidate.depth == root.depth + offset
                and candidate.slug == slug
                and candidate.path.startswith(parent.path)
            ),
            None,
        )
        if page is None:
            return Page.route(root, request, path_components)  # Http404, as Wagtail answers
        page._cached_parent_obj = parent
        chain.append(page)
        parent = page
    if any(page.specific_class is None for page in chain) or any(
        page.specific_class.route is not Page.route for page in chain[:-1]
    ):
        return Page.route(root, request, path_components)
    page = chain[-1].specific
    page._cached_parent_obj = chain[-2] if len(chain) > 1 else root
    setattr(page, ROUTE_ANCESTORS_ATTRIBUTE, [root, *chain[:-1]])
    return page.route(request, [])
