"""The moderators' audit log, kept as Wagtail log entries (``wagtailcore.ModelLogEntry``).

Every moderator action is logged on what it acted on (the post, else the thread, else the
member) as ``kx.forums.<action>``, with who took it, and in ``data`` the post, thread and
member it concerned (their ids) and the reason. The label is neutral ("Forum post 12"): a
thread's title may be restricted, and Wagtail's own reports show labels.
"""

from wagtail.log_actions import log

from kx_site.log_actions import LogActions

# action: (label, message)
ACTIONS = {
    "approve_post": ("Approve post", "Approved a forum post"),
    "hide_post": ("Hide post", "Hid a forum post"),
    "restore_post": ("Restore post", "Restored a forum post"),
    "edit_out": ("Edit out", "Edited personal data out of a forum post"),
    "dismiss_flags": ("Dismiss flags", "Dismissed the flags on a forum post"),
    "lock_thread": ("Lock thread", "Locked a forum thread"),
    "unlock_thread": ("Unlock thread", "Unlocked a forum thread"),
    "pin_thread": ("Pin thread", "Pinned a forum thread"),
    "unpin_thread": ("Unpin thread", "Unpinned a forum thread"),
    "move_thread": ("Move thread", "Moved a forum thread"),
    "suspend_member": ("Suspend member", "Suspended a member from posting in the forums"),
    "lift_suspension": ("Lift suspension", "Lifted a member's forum suspension"),
    "open_session_thread": ("Open session thread", "Opened a session discussion thread"),
}


MODERATION_LOG = LogActions("kx.forums.", ACTIONS)


def label_for(*, post=None, thread=None, member=None) -> str:
    if post is not None:
        return f"Forum post {post.pk}"
    if thread is not None:
        return f"Forum thread {thread.pk}"
    return f"Forum member {member.pk}"


def record(actor, action, *, post=None, thread=None, member=None, reason=""):
    """Log one moderator action (``action`` is a key of ``ACTIONS``)."""
    action = MODERATION_LOG.action(action)
    thread = thread or (post.thread if post else None)
    member = member or (post.author if post else None)
    return log(
        post or thread or member,
        action,
        user=actor,
        title=label_for(post=post, thread=thread, member=member),
        data={
            "post": post.pk if post else None,
            "thread": thread.pk if thread else None,
            "member": member.pk if member else None,
            "reason": reason[:500],
        },
    )


def entries():
    """Every moderator action, newest first."""
    return MODERATION_LOG.entries().order_by("-timestamp", "-pk")
