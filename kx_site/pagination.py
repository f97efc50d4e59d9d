from django.core.paginator import Paginator


def paginate(request, items, per_page):
    """The page of ``items`` that ``?page=`` asks for, ready for components/pagination.html.

    A missing, invalid or too-large page number gives the first or last page, never a 404.
    """
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(
        paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    )
    return page
