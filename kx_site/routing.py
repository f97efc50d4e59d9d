"""Finding the page a URL names in one query for the whole path, instead of Wagtail's two a level.

Wagtail's ``Page.route`` walks the path one slug at a time: a query for the child with that slug,
then one for its specific page, for every level (four queries for ``/events/<event>/`` below the
home page, before the page's own). ``route_from`` asks once for every page on the path (each
level's page is the one at that depth with that slug whose tree path continues its parent's),
then loads the last one's specific page and lets its own ``route`` decide, as Wagtail's walk
would have ended. Where a page on the way routes its own sub-paths (a ``route`` other than
``Page.route``), or a slug is not found, it falls back to Wagtail's walk, which answers exactly
as before (the page, or ``Http404``).

The same query also reads the root and its own ancestors, so the page's ancestors are all known:
they are kept on the page (``kx_route_ancestors``, from the tree's root down) for the breadcrumbs
(``kx_pages.breadcrumb_ancestors``) and for Wagtail's view-restriction check
(``view_restrictions``), which otherwise each ask for them again. It also says which of them have
a view restriction, so that the check asks for restrictions only where there are some.
"""

from django.db.models import Exists, OuterRef, Q
from wagtail.models import Page, PageViewRestriction

ROUTE_ANCESTORS_ATTRIBUTE = "kx_route_ancestors"
# The ids of the pages the routing query read (the path's and any with the same slugs at the same
# depths elsewhere) that have a view restriction.
ROUTE_RESTRICTED_ATTRIBUTE = "kx_route_restricted"


def route_from(root, request, path_components):
    """What ``Page.route(root, request, path_components)`` returns: in one query for the root
    itself, two for a page below it, and none later for the restrictions."""
    above = [root.path[: Page.steplen * depth] for depth in range(1, root.depth)]
    wanted = Q(path__in=[*above, root.path])
    if path_components:
        levels = Q()
        for offset, slug in enumerate(path_components, start=1):
            levels |= Q(depth=root.depth + offset, slug=slug)
        wanted |= Q(levels, path__startswith=root.path)
    found = list(
        Page.objects.filter(wanted)
        .annotate(kx_restricted=Exists(PageViewRestriction.objects.filter(page=OuterRef("pk"))))
        .order_by("path")
    )
    restricted = {page.id for page in found if page.kx_restricted}
    found = [page for page in found if page.path != root.path]
    above_root = [page for page in found if page.depth < root.depth]
    if len(above_root) != len(above):  # never in a sound tree: let Wagtail answer
        return Page.route(root, request, path_components)
    if not path_components:  # the root itself
        setattr(root, ROUTE_ANCESTORS_ATTRIBUTE, above_root)
        setattr(root, ROUTE_RESTRICTED_ATTRIBUTE, restricted)
        return Page.route(root, request, path_components)
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
    setattr(page, ROUTE_ANCESTORS_ATTRIBUTE, [*above_root, root, *chain[:-1]])
    setattr(page, ROUTE_RESTRICTED_ATTRIBUTE, restricted)
    return page.route(request, [])


def view_restrictions(page):
    """What ``Page.get_view_restrictions`` returns, without asking for the ancestors again when
    the page was routed here and neither it nor any ancestor is an alias (an alias takes its
    source page's restrictions: then Wagtail's own method resolves them)."""
    ancestors = getattr(page, ROUTE_ANCESTORS_ATTRIBUTE, None)
    if ancestors is None or any(each.alias_of_id for each in [page, *ancestors]):
        return Page.get_view_restrictions(page)
    # The routing query also read pages of other branches with the same slugs: only the path's.
    restricted = {page.id, *(a.id for a in ancestors)} & getattr(page, ROUTE_RESTRICTED_ATTRIBUTE)
    if not restricted:
        return PageViewRestriction.objects.none()
    return PageViewRestriction.objects.filter(page_id__in=restricted)
