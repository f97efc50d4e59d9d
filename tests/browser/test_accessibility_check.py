"""The journeys' accessibility check (``assert_accessible``) finds violations, on pages with
JavaScript and on the no-JavaScript copy axe checks in a page of its own."""

import pytest

from .conftest import assert_accessible, browser_journey

GOOD = (
    '<!DOCTYPE html><html lang="en-GB"><head><title>Good</title></head>'
    "<body><main><h1>Good</h1><p>Plain text.</p></main></body></html>"
)
# A picture with no text alternative (axe's image-alt rule, WCAG 1.1.1).
BAD = GOOD.replace("<p>Plain text.</p>", '<img src="/photo.png">').replace("Good", "Bad")


def serve(page, body):
    page.route(
        "http://kx.test/page", lambda route: route.fulfill(body=body, content_type="text/html")
    )
    page.route("http://kx.test/photo.png", lambda route: route.fulfill(status=404))
    page.goto("http://kx.test/page")


@browser_journey
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_violation_fails_the_check_and_a_clean_page_passes(new_page, javascript):
    page = new_page(javascript=javascript)
    serve(page, GOOD)
    assert_accessible(page)

    serve(page, BAD)
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
