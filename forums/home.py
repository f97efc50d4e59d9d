"""The forums' section of the home page (``kx_site.home``): the threads with the latest posts
that the reader may read, for members only."""

from kx_site.home import home_section

from .selectors import forum_access, visible_threads

ACTIVE_THREADS = 5


def active_threads(user, limit=ACTIVE_THREADS):
    """``(access, threads)``: the reader's forum access (``forums.selectors.forum_access``) and,
    for members, the threads they may read with the latest posts first.

    Anyone else gets no threads at all, not even a count: the forums are for verified
    practitioners. Threads waiting for approval (shown to their author and to moderators in
    the forum itself) are left out here, so the home page lists what the category lists.
    """
    access = forum_access(user)
    if access != "member":
        return access, []
    threads = (
        visible_threads(user)
        .filter(is_visible=True)
        .select_related("category")
        .order_by("-last_post_at", "-pk")[:limit]
    )
    return access, list(threads)


@home_section("forums", template="forums/home/active_threads.html", order=50)
def active_threads_section(user):
    access, threads = active_threads(user)
    return {"forum_access": access, "active_threads": threads}
