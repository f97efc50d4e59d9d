from django import template

from forums.selectors import forum_access, visible_threads

register = template.Library()


@register.simple_tag(takes_context=True)
def session_discussion(context, session):
    """The session's discussion thread if the member may see it, else None.

    The threads of all the event's sessions are fetched together on first use and kept on the
    request, so that a programme of any length costs one query.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or forum_access(user) != "member":
        return None
    cache = request.__dict__.setdefault("_forum_session_threads", {})
    if session.event_id not in cache:
        cache[session.event_id] = {
            thread.session_id: thread
            for thread in visible_threads(user).filter(
                session__event_id=session.event_id, is_visible=True
            )
        }
    return cache[session.event_id].get(session.pk)
