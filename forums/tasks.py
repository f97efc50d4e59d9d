"""Background work: notifications for a new post run after it is committed, off the request."""

from django_tasks import task


@task()
def announce_post(*, post_id: int, only_handles: list | None = None) -> int:
    from .notifications import notify_post

    return notify_post(post_id, only_handles)
