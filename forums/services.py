"""Every write in the forums: members' posts and the moderators' actions.

Each function is keyword-only and atomic. Moderator actions write a Wagtail log entry
(``forums.audit``) and ask search to re-index what they changed (``reindex_moderated``).
Notifications are worked out by a background task once the post is committed and visible
(``forums.tasks.announce_post``), so a slow mail server never slows posting.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import VerificationMethod
from events.permissions import can_organise
from kx_site.audience import quoting_refusal
from search import signals as search_signals

from . import audit
from .identifiers import find_identifiers
from .models import (
    Flag,
    ForumMember,
    ForumSubscription,
    Post,
    PostRevision,
    Thread,
    ThreadReadState,
    UsefulVote,
)
from .rendering import mentioned_handles, render_markdown
from .selectors import can_post, can_see_category, is_moderator, mentionable_handles

Status = Post.Status


class PersonalDataFound(ValidationError):
    """The text holds likely identifiers and the author has not confirmed it."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__("Check your post for personal data.", code="personal_data")


class RateLimited(ValidationError):
    def __init__(self, message):
        super().__init__(message, code="rate_limited")


def first_posts_held() -> int:
    return settings.KX_FORUM_FIRST_POSTS_HELD


def _rate(action):
    return settings.KX_FORUM_RATE_LIMITS[action]


def _rate_key(user, action):
    return f"forums:rate:{action}:{user.pk}"


def _check_rate(user, action):
    limit, _period = _rate(action)
    if cache.get(_rate_key(user, action), 0) >= limit:
        if action == "flag":
            raise RateLimited("You have flagged a lot of posts in a short time. Try again later.")
        if action == "lookup":
            raise RateLimited("You have looked up a lot of members in a short time.")
        raise RateLimited(
            "You have posted a lot in a short time. Wait a few minutes, then try again: "
            "your text is still here."
        )


def _count_rate(user, action):
    _limit, period = _rate(action)
    key = _rate_key(user, action)
    cache.add(key, 0, timeout=period)
    try:
        cache.incr(key)
    except ValueError:  # Expired between add and incr.
        cache.set(key, 1, timeout=period)


def check_lookup_rate(user) -> None:
    """Count one member lookup (@mention autocomplete); raise ``RateLimited`` past the limit,
    so that a script cannot page through every member's name."""
    _check_rate(user, "lookup")
    _count_rate(user, "lookup")


def reindex_moderated(*, post=None, thread=None) -> None:
    """Ask search to re-index what a moderator's action changed, after commit.

    Moderation updates rows in bulk, without the signals search listens to, so each moderation
    service calls this itself. An action on a reply refreshes that reply alone (and, through
    it, its thread's entry); any other action refreshes the thread with all its replies, in
    one task.
    """
    if post is not None and post.number > 1:
        target = Post(pk=post.pk)
    else:
        # A stub: only the model and key matter to search.
        target = Thread(pk=thread.pk if thread is not None else post.thread_id)
    search_signals.queue_index_update(target)


def member_for(user) -> ForumMember:
    """The member's forum settings, made with a unique @handle the first time."""
    try:
        return ForumMember.objects.get(user=user)
    except ForumMember.DoesNotExist:
        pass
    base = slugify(user.get_full_name()) or f"member-{user.pk}"
    base = base[:50]
    for attempt in range(1, 1000):
        handle = base if attempt == 1 else f"{base}-{attempt}"
        try:
            with transaction.atomic():
                return ForumMember.objects.create(user=user, handle=handle)
        except IntegrityError:
            existing = ForumMember.objects.filter(user=user).first()
            if existing:
                return existing
    raise RuntimeError("No free handle")  # pragma: no cover - a thousand namesakes


def render_post(body: str) -> str:
    """The post's HTML, its @mentions of mentionable members linked (one query at most)."""
    return render_markdown(body, mentionable=mentionable_handles(mentioned_handles(body)))


def _require_poster(user, category):
    if not can_post(user) or not can_see_category(user, category):
        raise PermissionDenied


def _needs_approval(user) -> bool:
    if is_moderator(user) or user.verification_method == VerificationMethod.DOMAIN:
        return False
    approved = Post.objects.filter(author=user, status=Status.VISIBLE).count()
    return approved < first_posts_held()


def _screen(body, confirmed):
    findings = [finding.as_dict() for finding in find_identifiers(body)]
    if findings and not confirmed:
        raise PersonalDataFound(findings)
    return findings


def _add_post(*, thread, author, body, findings):
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    number = thread.last_post_number + 1
    if findings:
        status, hold = Status.PENDING, Post.HoldReason.PERSONAL_DATA
    elif _needs_approval(author):
        status, hold = Status.PENDING, Post.HoldReason.FIRST_POSTS
    else:
        status, hold = Status.VISIBLE, Post.HoldReason.NONE
    post = Post.objects.create(
        thread=thread,
        number=number,
        author=author,
        body=body,
        body_html=render_post(body),
        status=status,
        hold_reason=hold,
        identifier_findings=findings,
    )
    Thread.objects.filter(pk=thread.pk).update(last_post_number=number)
    member_for(author)
    if status == Status.VISIBLE:
        _post_became_visible(post)
    return post


def _post_became_visible(post):
    now = timezone.now()
    updates = {"post_count": F("post_count") + 1, "last_post_at": now}
    if post.number == 1:
        updates["is_visible"] = True
    Thread.objects.filter(pk=post.thread_id).update(**updates)
    if post.notified_at is None:
        Post.objects.filter(pk=post.pk).update(notified_at=now)
        post.notified_at = now
        from .tasks import announce_post

        post_id = post.pk
        transaction.on_commit(lambda: announce_post.enqueue(post_id=post_id))


def _post_left_view(post):
    Thread.objects.filter(pk=post.thread_id, post_count__gt=0).update(
        post_count=F("post_count") - 1
    )


@transaction.atomic
def thread_create(
    *, category, author, title: str, body: str, confirmed_findings: bool = False
) -> Thread:
    """Start a thread. Raises ``PersonalDataFound`` until the author confirms any findings."""
    _require_poster(author, category)
    findings = _screen(f"{title}\n{body}", confirmed_findings)
    _check_rate(author, "post")
    thread = Thread.objects.create(
        category=category, title=title.strip(), author=author, is_visible=False
    )
    # The author hears about replies to their own thread.
    ForumSubscription.objects.create(user=author, thread=thread, level="watch")
    post = _add_post(thread=thread, author=author, body=body, findings=findings)
    _count_rate(author, "post")
    thread.refresh_from_db()
    thread.opening_post = post
    return thread


@transaction.atomic
def post_reply(*, thread, author, body: str, confirmed_findings: bool = False) -> Post:
    _require_poster(author, thread.category)
    if thread.is_locked and not is_moderator(author):
        raise ValidationError("This thread is locked: nobody can reply to it.")
    if not thread.is_visible and not is_moderator(author):
        raise ValidationError("This thread is waiting for a moderator's approval.")
    findings = _screen(body, confirmed_findings)
    _check_rate(author, "post")
    post = _add_post(thread=thread, author=author, body=body, findings=findings)
    _count_rate(author, "post")
    return post


@transaction.atomic
def post_edit(*, post, editor, body: str, confirmed_findings: bool = False) -> Post:
    """The author edits their own post; the text before the edit is kept for moderators."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__category")
        .get(pk=post.pk)
    )
    if post.author_id != editor.pk or post.status in (Status.HIDDEN, Status.DELETED):
        raise PermissionDenied
    _require_poster(editor, post.thread.category)
    if post.thread.is_locked:
        raise ValidationError("This thread is locked: posts in it cannot be changed.")
    findings = _screen(body, confirmed_findings)
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    newly_mentioned = mentioned_handles(body) - mentioned_handles(post.body)
    post.body = body
    post.body_html = render_post(body)
    post.edited_at = timezone.now()
    fields = ["body", "body_html", "edited_at", "identifier_findings"]
    post.identifier_findings = findings
    if findings and post.status == Status.VISIBLE:
        # Confirmed personal data goes back to the queue before anyone else reads it.
        post.status, post.hold_reason = Status.PENDING, Post.HoldReason.PERSONAL_DATA
        fields += ["status", "hold_reason"]
        _post_left_view(post)
    post.save(update_fields=fields)
    if newly_mentioned and post.notified_at is not None:
        # A post not yet announced names them when it is (on approval).
        from .tasks import announce_post

        post_id, handles = post.pk, sorted(newly_mentioned)
        transaction.on_commit(lambda: announce_post.enqueue(post_id=post_id, only_handles=handles))
    return post


@transaction.atomic
def post_delete(*, post, user) -> Post:
    """The author deletes their own post: it stays in the thread as "deleted"."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != user.pk:
        raise PermissionDenied
    if post.status == Status.DELETED:
        return post
    was_visible = post.status == Status.VISIBLE
    post.status = Status.DELETED
    post.save(update_fields=["status"])
    if was_visible:
        _post_left_view(post)
    Thread.objects.filter(answer=post).update(answer=None)
    return post


@transaction.atomic
def post_flag(*, post, user, reason: str, detail: str = "") -> Flag:
    if not can_post(user) or not can_see_category(user, post.thread.category):
        raise PermissionDenied
    if not post.is_visible:
        raise PermissionDenied
    if Flag.objects.filter(post=post, flagged_by=user, resolved_at__isnull=True).exists():
        raise ValidationError("You have already flagged this post. A moderator will look at it.")
    _check_rate(user, "flag")
    flag = Flag.objects.create(post=post, flagged_by=user, reason=reason, detail=detail.strip())
    _count_rate(user, "flag")
    return flag


@transaction.atomic
def post_toggle_useful(*, post, user) -> bool:
    """Vote the post useful, or take the vote back. Returns whether it is now voted."""
    if not can_post(user) or not can_see_category(user, post.thread.category):
        raise PermissionDenied
    if not post.is_visible or post.author_id == user.pk:
        raise ValidationError("You cannot vote for this post.")
    deleted, _ = UsefulVote.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(useful_count=F("useful_count") - 1)
        return False
    UsefulVote.objects.create(post=post, user=user)
    Post.objects.filter(pk=post.pk).update(useful_count=F("useful_count") + 1)
    return True


@transaction.atomic
def thread_mark_answer(*, thread, post, user) -> Thread:
    """The thread's author (or a moderator) marks a reply as the answer, or clears it."""
    if thread.author_id != user.pk and not is_moderator(user):
        raise PermissionDenied
    if not can_post(user) and not is_moderator(user):
        raise PermissionDenied
    if post is not None and (
        post.thread_id != thread.pk or not post.is_visible or post.number == 1
    ):
        raise ValidationError("Choose a reply in this thread.")
    thread.answer = post
    thread.save(update_fields=["answer"])
    return thread


def thread_mark_read(*, user, thread, post_number: int) -> None:
    """Remember the furthest post the member has seen (never moves backwards)."""
    updated = ThreadReadState.objects.filter(
        user=user, thread=thread, last_read_post_number__lt=post_number
    ).update(last_read_post_number=post_number)
    if not updated:
        try:
            with transaction.atomic():
                ThreadReadState.objects.get_or_create(
                    user=user, thread=thread, defaults={"last_read_post_number": post_number}
                )
        except IntegrityError:  # A concurrent request made it.
            pass


@transaction.atomic
def subscription_set(*, user, level: str, thread=None, category=None) -> ForumSubscription:
    target_category = category if category is not None else thread.category
    if not can_see_category(user, target_category):
        raise PermissionDenied
    subscription, _ = ForumSubscription.objects.update_or_create(
        user=user, thread=thread, category=category, defaults={"level": level}
    )
    return subscription


@transaction.atomic
def email_frequency_set(*, user, frequency: str) -> ForumMember:
    member = member_for(user)
    member.email_frequency = frequency
    member.save(update_fields=["email_frequency"])
    return member


# Moderation -----------------------------------------------------------------------------


def _require_moderator(user):
    if not is_moderator(user):
        raise PermissionDenied


def _resolve_flags(post, moderator):
    Flag.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=moderator
    )


@transaction.atomic
def post_approve(*, post, moderator) -> Post:
    _require_moderator(moderator)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Status.PENDING:
        raise ValidationError("This post is not waiting for approval.")
    post.status, post.hold_reason = Status.VISIBLE, Post.HoldReason.NONE
    post.save(update_fields=["status", "hold_reason"])
    _post_became_visible(post)
    audit.record(moderator, "approve_post", post=post)
    reindex_moderated(post=post)
    return post


@transaction.atomic
def post_hide(*, post, moderator, reason: str = "") -> Post:
    _require_moderator(moderator)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status == Status.HIDDEN:
        raise ValidationError("This post is already hidden.")
    was_visible = post.status == Status.VISIBLE
    post.status = Status.HIDDEN
    post.save(update_fields=["status"])
    if was_visible:
        _post_left_view(post)
    Thread.objects.filter(answer=post).update(answer=None)
    _resolve_flags(post, moderator)
    audit.record(moderator, "hide_post", post=post, reason=reason)
    reindex_moderated(post=post)
    return post


@transaction.atomic
def post_restore(*, post, moderator, reason: str = "") -> Post:
    _require_moderator(moderator)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status != Status.HIDDEN:
        raise ValidationError("Only hidden posts can be restored.")
    post.status = Status.VISIBLE
    post.save(update_fields=["status"])
    _post_became_visible(post)
    audit.record(moderator, "restore_post", post=post, reason=reason)
    reindex_moderated(post=post)
    return post


@transaction.atomic
def post_edit_out(*, post, moderator, body: str, reason: str) -> Post:
    """A moderator removes personal data from a post; the reason is recorded."""
    _require_moderator(moderator)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you edited this post."})
    post = Post.objects.select_for_update().get(pk=post.pk)
    PostRevision.objects.create(post=post, body=post.body, edited_by=moderator, reason=reason)
    post.body = body
    post.body_html = render_post(body)
    post.edited_at = timezone.now()
    post.identifier_findings = [f.as_dict() for f in find_identifiers(body)]
    post.save(update_fields=["body", "body_html", "edited_at", "identifier_findings"])
    audit.record(moderator, "edit_out", post=post, reason=reason)
    reindex_moderated(post=post)
    return post


@transaction.atomic
def flags_dismiss(*, post, moderator, reason: str = "") -> int:
    _require_moderator(moderator)
    count = Flag.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=moderator
    )
    audit.record(moderator, "dismiss_flags", post=post, reason=reason)
    return count


# A thread's on/off switches: the field, and the audited action for on and for off.
THREAD_SWITCHES = {
    "locked": ("is_locked", "lock_thread", "unlock_thread"),
    "pinned": ("is_pinned", "pin_thread", "unpin_thread"),
}


@transaction.atomic
def thread_switch(*, thread, moderator, switch: str, on: bool, reason: str = "") -> Thread:
    """Lock or unlock, pin or unpin a thread (``switch`` is "locked" or "pinned"). Search holds
    neither, so nothing is re-indexed."""
    _require_moderator(moderator)
    field, on_action, off_action = THREAD_SWITCHES[switch]
    Thread.objects.filter(pk=thread.pk).update(**{field: on})
    setattr(thread, field, on)
    audit.record(moderator, on_action if on else off_action, thread=thread, reason=reason)
    return thread


def thread_set_locked(*, thread, moderator, locked: bool, reason: str = "") -> Thread:
    return thread_switch(
        thread=thread, moderator=moderator, switch="locked", on=locked, reason=reason
    )


def thread_set_pinned(*, thread, moderator, pinned: bool, reason: str = "") -> Thread:
    return thread_switch(
        thread=thread, moderator=moderator, switch="pinned", on=pinned, reason=reason
    )


@transaction.atomic
def thread_move(*, thread, moderator, category, reason: str = "") -> Thread:
    _require_moderator(moderator)
    if thread.session_id:
        refusal = quoting_refusal(category, thread.session.event)
        if refusal:
            raise ValidationError(refusal)
    previous = thread.category
    Thread.objects.filter(pk=thread.pk).update(category=category)
    thread.category = category
    # Category-level levels no longer apply; people who can no longer see it lose theirs too.
    audit.record(
        moderator,
        "move_thread",
        thread=thread,
        reason=f"{previous} → {category}" + (f": {reason}" if reason else ""),
    )
    reindex_moderated(thread=thread)
    return thread


@transaction.atomic
def member_suspend(*, member, moderator, until, reason: str) -> ForumMember:
    """The member may read but not post, vote or flag until ``until``."""
    _require_moderator(moderator)
    if until <= timezone.now():
        raise ValidationError({"until": "The suspension must end in the future."})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are suspending this member."})
    standing = member_for(member)
    standing.suspended_until = until
    standing.suspension_reason = reason.strip()
    standing.save(update_fields=["suspended_until", "suspension_reason"])
    audit.record(
        moderator,
        "suspend_member",
        member=member,
        reason=f"until {timezone.localtime(until):%d %b %Y %H:%M}: {reason}",
    )
    return standing


@transaction.atomic
def member_unsuspend(*, member, moderator, reason: str = "") -> ForumMember:
    _require_moderator(moderator)
    standing = member_for(member)
    standing.suspended_until = None
    standing.save(update_fields=["suspended_until"])
    audit.record(moderator, "lift_suspension", member=member, reason=reason)
    return standing


@transaction.atomic
def thread_create_for_session(*, session, category, actor) -> Thread:
    """A discussion thread for a conference session, opened by a moderator or an organiser."""
    if not (is_moderator(actor) or can_organise(actor)):
        raise PermissionDenied
    if Thread.objects.filter(session=session).exists():
        raise ValidationError("This session already has a discussion thread.")
    # The thread quotes the session and links its event: every reader of the category must be
    # allowed to see the event.
    refusal = quoting_refusal(category, session.event)
    if refusal:
        raise ValidationError(refusal)
    title = f"Session discussion: {session.title}"[:150]
    thread = Thread.objects.create(
        category=category, title=title, author=actor, session=session, is_visible=False
    )
    body = (
        f"Discussion of the session “{session.title}” at {session.event.title}. "
        "Share questions, notes and what you will try in your own practice."
    )
    post = Post.objects.create(
        thread=thread, number=1, author=actor, body=body, body_html=render_post(body)
    )
    Thread.objects.filter(pk=thread.pk).update(last_post_number=1)
    _post_became_visible(post)
    audit.record(actor, "open_session_thread", thread=thread, reason=str(session))
    reindex_moderated(thread=thread)
    thread.refresh_from_db()
    return thread
