from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from . import selectors
from .forms import MAX_QUERY_LENGTH, SearchForm
from .presentation import facet_options, grouped_rows, within_label
from .queries import PER_PAGE, SORTS


def _private(response):
    # Results depend on who is asking and may name OFFICIAL-SENSITIVE items.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def search_page(request):
    form = SearchForm(request.GET)
    context = {"form": form, "sorts": SORTS}
    if form.is_valid():
        query = form.to_query()
        results = selectors.search(query, request.user)
        # The engine already returned just this page: paginate the total, for the links only.
        paginator = Paginator(range(results.total), PER_PAGE)
        results_page = paginator.get_page(query.page)
        results_page.elided_range = list(
            paginator.get_elided_page_range(results_page.number, on_each_side=1, on_ends=1)
        )
        facets = facet_options(results, query)
        removable = [
            {
                "facet": facet["label"],
                "label": option["label"],
                "querystring": query.without(facet["name"], option["value"]).querystring(),
            }
            for facet in facets
            for option in facet["options"]
            if option["selected"]
        ]
        if query.within:
            removable.insert(
                0,
                {
                    "facet": "Within",
                    "label": within_label(query.within, request.user),
                    "querystring": query.within_parent("").querystring(),
                },
            )
        context.update(
            query=query,
            results=results,
            rows=grouped_rows(results, query, request.user),
            facets=facets,
            results_page=results_page,
            searched=bool(query.text or query.filters or query.within),
            removable=removable,
        )
    return _private(render(request, "search/search.html", context))


def _error(message, fields=None, status=400):
    body = {"error": message}
    if fields:
        body["fields"] = fields
    return _private(JsonResponse(body, status=status))


@require_GET
def api_search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return _error("Bad search parameters", fields)
    query = form.to_query()
    results = selectors.search(query, request.user)
    body = {
        "total": results.total,
        "page": query.page,
        "per_page": query.per_page,
        "results": [hit.as_json() for hit in results.hits],
        "facets": {
            facet["name"]: [
                {"value": o["value"], "label": o["label"], "count": o["count"]}
                for o in facet["options"]
            ]
            for facet in facet_options(results, query)
        },
        "suggestion": results.suggestion,
        "source": results.source,
        "fallback": results.fallback,
    }
    return _private(JsonResponse(body))


@require_GET
def suggest(request):
    text = request.GET.get("q", "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        return _error(f"q must be {MAX_QUERY_LENGTH} characters or fewer")
    suggestions = selectors.suggest(text, request.user) if len(text) >= 2 else []
    return _private(JsonResponse({"suggestions": suggestions}))
