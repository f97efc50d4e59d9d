from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET


def permission_denied(request, exception=None):
    return HttpResponse(render_to_string("403.html", {}, request), status=403)


def page_not_found(request, exception=None):
    return HttpResponse(render_to_string("404.html", {}, request), status=404)


def server_error(request):
    # No request context: the failure may be in a context processor or the database.
    return HttpResponse(render_to_string("500.html"), status=500)


def server_error_preview(request):
    return server_error(request)


@require_GET
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /accounts/", "Sitemap: /sitemap.xml"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def bare(request):
    """The benchmarks' limit: a view that does nothing, behind every middleware (bench/load.py).
    Routed only when KX_BENCH_VIEWS is true."""
    return HttpResponse("ok", content_type="text/plain")
