"""A URL finds the same page, or the same 404, as Wagtail's slug-by-slug walk, in fewer queries
(kx_site.routing), and the breadcrumbs show the same ancestors."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page

from kx_site.audience import Audience
from kx_site.models import HomePage
from kx_site.routing import ROUTE_ANCESTORS_ATTRIBUTE
from tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def walked(root, components):
    """What Wagtail's own route answers: the page, or None for a 404."""
    try:
        return Page.route(root, RequestFactory().get("/"), components).page
    except Http404:
        return None


def routed(root, components):
    try:
        return root.route(RequestFactory().get("/"), components).page
    except Http404:
        return None


@pytest.fixture
def tree():
    home = HomePage.objects.get()
    guidance = StandardPageFactory(slug="guidance", title="Guidance", audience=Audience.PUBLIC)
    child = StandardPageFactory(
        parent=guidance, slug="child", title="Child", audience=Audience.PUBLIC
    )
    StandardPageFactory(
        parent=child, slug="grandchild", title="Grandchild", audience=Audience.PUBLIC
    )
    # The same slug elsewhere in the tree: only the one under the path's parent is the page.
    other = StandardPageFactory(slug="other", title="Other")
    StandardPageFactory(parent=other, slug="child", title="Other child")
    draft = StandardPageFactory(slug="draft", title="Draft", live=False)
    StandardPageFactory(parent=draft, slug="under-draft", title="Under a draft")
    return home


PATHS = [
    ["guidance"],
    ["guidance", "child"],
    ["guidance", "child", "grandchild"],
    ["other", "child"],
    ["draft"],  # not live: 404
    ["draft", "under-draft"],  # a live page under a draft is served, as Wagtail does
    ["guidance", "missing"],
    ["missing", "child"],
    ["guidance", "child", "grandchild", "deeper"],
    ["child"],
]


@pytest.mark.parametrize("components", PATHS, ids="/".join)
def test_the_same_page_as_wagtails_walk(tree, components):
    expected = walked(tree, components)
    page = routed(tree, components)

    if expected is None:
        assert page is None
        return
    assert page == expected
    assert type(page) is type(expected.specific)
    ancestors = getattr(page, ROUTE_ANCESTORS_ATTRIBUTE)
    assert [a.pk for a in ancestors] == [a.pk for a in expected.get_ancestors() if not a.is_root()]
    assert page.get_parent().pk == ancestors[-1].pk


def test_a_deep_page_in_two_queries_after_the_root(tree, django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(2):  # every page on the path, then the last one's own row
        page = tree.route(request, ["guidance", "child", "grandchild"]).page
    assert page.title == "Grandchild"


def test_the_breadcrumbs_list_the_ancestors(client, tree):
    grandchild = Page.objects.get(slug="grandchild")

    content = client.get(grandchild.url).content.decode()

    crumbs = content.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert crumbs.count("govuk-breadcrumbs__list-item") == 3
    assert ">Home</a>" in crumbs
    assert 'href="/guidance/">Guidance</a>' in crumbs
    assert 'href="/guidance/child/">Child</a>' in crumbs
