"""The moderators' tools in the Wagtail admin: the queue, a post's review page, thread and
member actions, the audit log, and opening a discussion thread for a conference session.

Moderators (superusers and the "Moderators" group, through ``forums.moderate_forums``, with a
second factor) see every category: they must be able to review what is posted anywhere. The
screens are class-based views of two Wagtail ViewSets checked by ``moderation_policy`` (a plain
403 for those it refuses): ``ModerationViewSet`` (the queue, audit log, post, thread and member
screens, moderators only) and ``SessionDiscussionViewSet`` (an event's session threads, for
organisers and moderators).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.functional import cached_property
from django.views.defaults import permission_denied as django_permission_denied
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.models import User
from accounts.permissions import has_staff_perm
from events.permissions import can_organise

from . import audit, services
from .forms import CategoryChoiceForm, EditOutForm, ReasonForm, SuspendForm
from .models import Flag, ForumCategory, Post, PostRevision, Thread
from .selectors import is_moderator, member_standing

AUDIT_PAGE_SIZE = 50


class ModerationPermissionPolicy(ModelPermissionPolicy):
    """The "moderate" action is the model permission ``forums.moderate_forums``, held with a
    second factor (``selectors.is_moderator``): staff without one have no powers.
    "open_session_thread" is for moderators and event organisers (``can_open_session_thread``)."""

    def user_has_permission(self, user, action):
        if action == "moderate":
            return is_moderator(user)
        if action == "open_session_thread":
            return can_open_session_thread(user)
        return has_staff_perm(user, self._get_permission_name(action))


moderation_policy = ModerationPermissionPolicy(ForumCategory)


class PlainDenialMixin(PermissionCheckedMixin):
    """Checked by ``moderation_policy``, with a plain 403 for those it refuses (Wagtail would
    turn PermissionDenied into a redirect to the dashboard)."""

    permission_policy = moderation_policy

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return django_permission_denied(request, PermissionDenied())


class ModeratorsOnlyMixin(PlainDenialMixin):
    """Moderators only: ``forums.moderate_forums`` with a second factor."""

    permission_required = "moderate"


def _open_flags():
    return Prefetch(
        "flags",
        queryset=Flag.objects.filter(resolved_at__isnull=True).select_related("flagged_by"),
        to_attr="open_flags",
    )


QUEUE_BATCH = 50


class QueueView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "forums/admin/queue.html"
    page_title = "Forum moderation"

    def get_context_data(self, **kwargs):
        base = Post.objects.select_related(
            "thread__category", "author__organisation"
        ).prefetch_related(_open_flags())
        pending = base.filter(status=Post.Status.PENDING).order_by("created_at", "pk")
        open_flags = Flag.objects.filter(post=OuterRef("pk"), resolved_at__isnull=True)
        flagged = (
            # Exists, not flags__resolved_at__isnull: across the relation that is a LEFT JOIN,
            # which a post with no flag at all also matches.
            base.filter(Exists(open_flags))
            .annotate(open_flag_count=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
            .order_by("-open_flag_count", "pk")
        )
        # A work queue: the oldest waiting and the most flagged first, a batch at a time.
        # Handled posts leave the queue, so the next ones come up without paging.
        return super().get_context_data(
            pending=pending[:QUEUE_BATCH],
            pending_total=pending.count(),
            flagged=flagged[:QUEUE_BATCH],
            flagged_total=flagged.values("pk").count(),
            batch=QUEUE_BATCH,
            **kwargs,
        )


class PostReviewView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """A post with its flags, earlier versions and author's standing, and the actions on it."""

    template_name = "forums/admin/post.html"
    page_title = "Review a post"

    @cached_property
    def object(self):
        return get_object_or_404(
            Post.objects.select_related(
                "thread__category", "author__organisation"
            ).prefetch_related(_open_flags()),
            pk=self.kwargs["post_id"],
        )

    def get_context_data(self, **kwargs):
        post = self.object
        return super().get_context_data(
            post=post,
            thread=post.thread,
            revisions=PostRevision.objects.filter(post=post).select_related("edited_by"),
            standing=member_standing(post.author),
            reason_form=ReasonForm(),
            move_form=CategoryChoiceForm(categories=ForumCategory.objects.all()),
            **kwargs,
        )


POST_ACTIONS = {
    "approve": (services.post_approve, "Post approved: members can now read it."),
    "hide": (services.post_hide, "Post hidden."),
    "restore": (services.post_restore, "Post restored."),
    "dismiss": (services.flags_dismiss, "Flags dismissed."),
}


def _to_post(post_id):
    return redirect("forums_moderation:post", post_id=post_id)


class PostActionView(ModeratorsOnlyMixin, View):
    """Approve, hide or restore a post, or dismiss its flags (POST only), then back to it."""

    http_method_names = ["post"]

    def post(self, request, post_id, action):
        post = get_object_or_404(Post, pk=post_id)
        if action not in POST_ACTIONS:
            return _to_post(post.pk)
        run, done = POST_ACTIONS[action]
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        kwargs = {} if action == "approve" else {"reason": reason}
        try:
            run(post=post, moderator=request.user, **kwargs)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return _to_post(post.pk)


class EditOutView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """Edit personal data out of a post; the earlier text is kept, the reason logged."""

    template_name = "forums/admin/edit_out.html"
    page_title = "Edit out personal data"
    form_class = EditOutForm
    http_method_names = ["get", "post", "head", "options"]

    @cached_property
    def object(self):
        return get_object_or_404(Post.objects.select_related("thread"), pk=self.kwargs["post_id"])

    def get_initial(self):
        return {"body": self.object.body}

    def get_context_data(self, **kwargs):
        return super().get_context_data(post=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.post_edit_out(
                post=self.object,
                moderator=self.request.user,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Post edited. The reason is in the audit log.")
        return _to_post(self.object.pk)


class ThreadActionView(ModeratorsOnlyMixin, View):
    """Lock, unlock, pin, unpin or move a thread (POST only), then back to the post reviewed
    (``post_id``) or the queue."""

    http_method_names = ["post"]

    def post(self, request, thread_id, action):
        thread = get_object_or_404(Thread.objects.select_related("category"), pk=thread_id)
        back = request.POST.get("post_id", "")
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        moderator = request.user
        if action in ("lock", "unlock"):
            services.thread_set_locked(
                thread=thread, moderator=moderator, locked=action == "lock", reason=reason
            )
            messages.success(request, f"Thread {action}ed.")
        elif action in ("pin", "unpin"):
            services.thread_set_pinned(
                thread=thread, moderator=moderator, pinned=action == "pin", reason=reason
            )
            messages.success(request, f"Thread {action}ned.")
        elif action == "move":
            self.move(thread)
        if back.isdigit():
            return _to_post(int(back))
        return redirect("forums_moderation:queue")

    def move(self, thread):
        request = self.request
        move_form = CategoryChoiceForm(request.POST, categories=ForumCategory.objects.all())
        if not move_form.is_valid():
            messages.error(request, "Select a category to move the thread to.")
            return
        category = move_form.cleaned_data["category"]
        try:
            services.thread_move(
                thread=thread,
                moderator=request.user,
                category=category,
                reason=move_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Thread moved to {category}.")


class MemberSuspendView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    """A member's standing: suspend them from posting, or lift a suspension (``lift=1``)."""

    template_name = "forums/admin/member.html"
    page_title = "Forum member"
    form_class = SuspendForm
    http_method_names = ["get", "post", "head", "options"]

    @cached_property
    def object(self):
        return get_object_or_404(
            User.objects.select_related("organisation"), pk=self.kwargs["user_id"]
        )

    def to_member(self):
        return redirect("forums_moderation:member", user_id=self.object.pk)

    def post(self, request, *args, **kwargs):
        if request.POST.get("lift") == "1":
            services.member_unsuspend(member=self.object, moderator=request.user)
            messages.success(request, f"{self.object} can post again.")
            return self.to_member()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        member = self.object
        return super().get_context_data(member=member, standing=member_standing(member), **kwargs)

    def form_valid(self, form):
        member = self.object
        try:
            services.member_suspend(
                member=member,
                moderator=self.request.user,
                until=form.until(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{member} is suspended: they can read but not post.")
        return self.to_member()


def with_targets(entries):
    """The log entries, each given the post, thread and member it concerned (those still
    there): three queries for a page of entries, not three an entry."""
    wanted = {"post": set(), "thread": set(), "member": set()}
    for entry in entries:
        for key, ids in wanted.items():
            if entry.data.get(key):
                ids.add(entry.data[key])
    found = {
        "post": Post.objects.in_bulk(wanted["post"]),
        "thread": Thread.objects.in_bulk(wanted["thread"]),
        "member": User.objects.in_bulk(wanted["member"]),
    }
    for entry in entries:
        for key, objects in found.items():
            setattr(entry, key, objects.get(entry.data.get(key)))
        entry.reason = entry.data.get("reason", "")
        entry.action_label = audit.MODERATION_LOG.label(entry)
    return entries


class AuditLogView(ModeratorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every moderator action, newest first (Wagtail log entries, ``forums.audit``)."""

    template_name = "forums/admin/audit.html"
    page_title = "Forum audit log"

    def get_context_data(self, **kwargs):
        actions = audit.entries().select_related("user")
        page = Paginator(actions, AUDIT_PAGE_SIZE).get_page(self.request.GET.get("p"))
        page.object_list = with_targets(list(page.object_list))
        return super().get_context_data(page=page, **kwargs)


class ModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return moderation_policy.user_has_permission(request.user, "moderate")


class ModerationViewSet(ViewSet):
    """The moderators' queue and audit log at /admin/forums/moderation/, and their menu item
    (shown to those the policy lets moderate)."""

    name = "forums_moderation"
    url_prefix = "forums/moderation"
    icon = "warning"
    menu_label = "Forum moderation"
    menu_order = 840
    add_to_admin_menu = True
    menu_item_class = ModerationMenuItem

    def get_urlpatterns(self):
        return [
            path("", QueueView.as_view(), name="queue"),
            path("audit/", AuditLogView.as_view(), name="audit"),
            path("posts/<int:post_id>/", PostReviewView.as_view(), name="post"),
            path("posts/<int:post_id>/edit-out/", EditOutView.as_view(), name="edit_out"),
            path(
                "posts/<int:post_id>/<slug:action>/",
                PostActionView.as_view(),
                name="post_action",
            ),
            path(
                "threads/<int:thread_id>/<slug:action>/",
                ThreadActionView.as_view(),
                name="thread_action",
            ),
            path("members/<int:user_id>/", MemberSuspendView.as_view(), name="member"),
        ]


def can_open_session_thread(user):
    return is_moderator(user) or can_organise(user)


class SessionThreadsMixin(PlainDenialMixin):
    """Organisers and moderators (``can_open_session_thread``); a plain 403 for anyone else."""

    permission_required = "open_session_thread"


class EventDiscussionsView(SessionThreadsMixin, WagtailAdminTemplateMixin, TemplateView):
    """An event's sessions and their discussion threads, from the organisers' summary."""

    template_name = "forums/admin/event_discussions.html"
    page_title = "Session discussion threads"

    def get_context_data(self, **kwargs):
        from events.models import EventPage, EventSession

        event = get_object_or_404(EventPage, pk=self.kwargs["event_id"])
        sessions = (
            EventSession.objects.filter(event=event)
            .select_related("discussion_thread__category")
            .order_by("start", "sort_order", "pk")
        )
        return super().get_context_data(event=event, sessions=sessions, **kwargs)


class SessionThreadView(SessionThreadsMixin, WagtailAdminTemplateMixin, FormView):
    """Open the discussion thread of a conference session (organisers and moderators); a
    session has at most one, shown instead of the form."""

    template_name = "forums/admin/session_thread.html"
    page_title = "Session discussion thread"
    form_class = CategoryChoiceForm
    http_method_names = ["get", "post", "head", "options"]

    @cached_property
    def object(self):
        from events.models import EventSession

        return get_object_or_404(
            EventSession.objects.select_related("event"), pk=self.kwargs["session_id"]
        )

    @cached_property
    def existing(self):
        return Thread.objects.filter(session=self.object).first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "categories": ForumCategory.objects.all()}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        del form.fields["reason"]
        return form

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if self.existing is None and form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        session = self.object
        return super().get_context_data(
            session=session, event=session.event, existing=self.existing, **kwargs
        )

    def form_valid(self, form):
        session = self.object
        try:
            thread = services.thread_create_for_session(
                session=session, category=form.cleaned_data["category"], actor=self.request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Discussion thread opened: {thread.title}.")
        return redirect("forums_discussions:event_discussions", event_id=session.event_id)


class SessionDiscussionViewSet(ViewSet):
    """An event's session discussion threads at /admin/forums/events/<id>/discussions/ and
    opening one at /admin/forums/sessions/<id>/discussion/, for organisers and moderators
    (linked from the events' organiser summary, so no menu item)."""

    name = "forums_discussions"
    url_prefix = "forums"

    def get_urlpatterns(self):
        return [
            path(
                "events/<int:event_id>/discussions/",
                EventDiscussionsView.as_view(),
                name="event_discussions",
            ),
            path(
                "sessions/<int:session_id>/discussion/",
                SessionThreadView.as_view(),
                name="session_thread",
            ),
        ]
