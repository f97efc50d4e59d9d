"""The briefings' section of the home page (``kx_site.home``): the newest the reader may see."""

from kx_site.home import home_section
from kx_site.page_cache import remembered_for_reader

from .selectors import visible_briefings

LATEST_BRIEFINGS = 3


def latest_briefings(user, limit=LATEST_BRIEFINGS):
    """The newest briefings ``user`` may see, in the briefings listing's order; kept until
    content changes for readers who may see the same (``kx_site.page_cache``)."""
    return remembered_for_reader(
        user,
        f"home-latest-briefings:{limit}",
        lambda: list(visible_briefings(user).order_by("-publication_date", "-pk")[:limit]),
    )


@home_section(
    "briefings",
    template="briefings/home/latest_briefings.html",
    order=30,
    index_page="briefings.BriefingIndexPage",
)
def latest_briefings_section(user):
    return {"latest_briefings": latest_briefings(user)}
