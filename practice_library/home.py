"""The library's section of the home page (``kx_site.home``): the practices most recently
added that the reader may see."""

from kx_site.audience import visible_to
from kx_site.home import home_section
from kx_site.page_cache import remembered_for_reader

from .models import PracticePage

RECENT_PRACTICES = 3


def recent_practices(user, limit=RECENT_PRACTICES):
    """The practices ``user`` may see, most recently added first (the library's "newest"); kept
    until content changes for readers who may see the same (``kx_site.page_cache``)."""

    def newest():
        practices = visible_to(PracticePage.objects.live(), user)
        return list(
            practices.select_related("organisation").order_by("-first_published_at", "-pk")[:limit]
        )

    return remembered_for_reader(user, f"home-recent-practices:{limit}", newest)


@home_section(
    "library",
    template="practice_library/home/recent_practices.html",
    order=40,
    index_page="practice_library.PracticeIndexPage",
)
def recent_practices_section(user):
    return {"recent_practices": recent_practices(user)}
