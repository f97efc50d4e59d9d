"""A URL finds the same page, or the same 404, as Wagtail's slug-by-slug walk, in fewer queries
(kx_site.routing), and the breadcrumbs show the same ancestors."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction

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
    assert [a.pk for a in ancestors] == [a.pk for a in expected.get_ancestors()]
    assert page.get_parent().pk == ancestors[-1].pk
    assert set(page.get_view_restrictions()) == set(Page.get_view_restrictions(expected))


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


def on_the_path(home, page):
    """The pages a restriction on which applies to ``page``, by where they stand."""
    return {
        "page": page,
        "parent": page.get_parent(),
        "home": home,
        "tree root": Page.get_first_root_node(),
    }


@pytest.mark.parametrize("restricted", ["page", "parent", "home", "tree root"])
def test_wagtails_view_restrictions_still_apply(client, tree, restricted):
    """A Wagtail privacy setting on the page or any ancestor still sends a signed-out reader to
    sign in, although the ancestors are no longer asked for again."""
    grandchild = Page.objects.get(slug="grandchild")
    chosen = on_the_path(tree, grandchild)[restricted]
    assert client.get(grandchild.url).status_code == 200
    PageViewRestriction.objects.create(page=chosen, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(grandchild.url)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_home_page_in_one_query_with_its_restrictions(tree, django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):  # the tree's root and the home page, restrictions known
        page = tree.route(request, []).page
        assert list(page.get_view_restrictions()) == []
    assert page == tree
    assert [a.pk for a in getattr(page, ROUTE_ANCESTORS_ATTRIBUTE)] == [
        Page.get_first_root_node().pk
    ]


@pytest.mark.parametrize("restricted", ["home", "tree root"])
def test_a_restriction_on_the_home_page_or_above_applies_to_it(client, tree, restricted):
    chosen = on_the_path(tree, tree)[restricted]
    assert client.get("/").status_code == 200
    PageViewRestriction.objects.create(page=chosen, restriction_type=PageViewRestriction.LOGIN)

    response = client.get("/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_no_query_for_the_restrictions_of_a_path_without_any(tree, django_assert_num_queries):
    page = routed(tree, ["guidance", "child", "grandchild"])

    with django_assert_num_queries(0):
        assert list(page.get_view_restrictions()) == []


@pytest.mark.parametrize("restricted", ["page", "parent", "home", "tree root"])
def test_the_restrictions_of_the_path_are_found_by_the_routing_query(tree, restricted):
    grandchild = Page.objects.get(slug="grandchild")
    chosen = on_the_path(tree, grandchild)[restricted]
    restriction = PageViewRestriction.objects.create(
        page=chosen, restriction_type=PageViewRestriction.LOGIN
    )

    page = routed(tree, ["guidance", "child", "grandchild"])

    assert list(page.get_view_restrictions()) == [restriction]


def test_a_restriction_on_a_page_with_the_same_slug_elsewhere_does_not_apply(client, tree):
    """The routing query reads every page at the path's depths with its slugs: the other
    branch's ``child`` is among them, and its restriction is not this page's."""
    PageViewRestriction.objects.create(
        page=Page.objects.get(title="Other child"), restriction_type=PageViewRestriction.LOGIN
    )
    child = Page.objects.get(title="Child")

    assert list(routed(tree, ["guidance", "child"]).get_view_restrictions()) == []
    assert client.get(child.url).status_code == 200
    assert client.get("/other/child/").status_code == 302


def test_view_restrictions_of_an_alias_are_its_source_pages(tree):
    source = Page.objects.get(slug="guidance").get_children().get(slug="child").specific
    alias = source.create_alias(parent=Page.objects.get(slug="other"), update_slug="alias")
    restriction = PageViewRestriction.objects.create(
        page=source, restriction_type=PageViewRestriction.LOGIN
    )

    page = routed(tree, ["other", "alias"])

    assert page.pk == alias.pk
    assert list(page.get_view_restrictions()) == [restriction]
