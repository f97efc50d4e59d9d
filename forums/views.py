"""The forums for members: categories, threads, posting, flags, votes, watching, email settings.

Signed-out visitors and signed-in members who are not verified practitioners see, at the forums'
index, what the forums are and how to join; elsewhere signed-out visitors are sent to sign in.
A category, thread or post the member may not see answers 404, as if it did not exist. Every
write goes through ``forums.services``.
"""

from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from kx_site.audience import can_view
from kx_site.pagination import paginate

from . import notifications, selectors, services
from .forms import FlagForm, PreferencesForm, ReplyForm, ThreadForm, WatchForm
from .identifiers import find_identifiers
from .models import ForumSubscription, Post, WatchLevel
from .rendering import mentioned_handles, quote_markdown


def members_only(view):
    """Sign-in first; then only verified practitioners. Forum pages are never cached."""

    @wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        access = selectors.forum_access(request.user)
        if access == "sign_in":
            if view.__name__ == "index":
                # The way in from the navigation: say what the forums are and how to join.
                return render(request, "forums/about.html")
            return redirect_to_login(request.get_full_path())
        if access == "unverified":
            status = 200 if view.__name__ == "index" else 403
            return render(request, "forums/about.html", status=status)
        return view(request, *args, **kwargs)

    return wrapped


def _category(user, slug):
    return get_object_or_404(selectors.visible_categories(user), slug=slug)


def _thread(user, thread_id):
    return get_object_or_404(
        selectors.visible_threads(user).select_related("category", "answer", "session__event"),
        pk=thread_id,
    )


def _post(user, post_id):
    """A post in a thread the member may see; 404 otherwise."""
    post = get_object_or_404(Post.objects.select_related("thread__category", "author"), pk=post_id)
    if not selectors.visible_threads(user).filter(pk=post.thread_id).exists():
        raise Http404
    return post


def _posted(request):
    # An empty POST is still a submission: bind it, so that missing fields are errors.
    return request.POST if request.method == "POST" else None


def _watch_level(user, *, thread=None, category=None):
    subscription = ForumSubscription.objects.filter(
        user=user, thread=thread, category=category
    ).first()
    return subscription.level if subscription else WatchLevel.NORMAL


def _held_message(post):
    if post.status == Post.Status.PENDING:
        return (
            "Your post will appear once a moderator has checked it. We will not show it to "
            "anyone else before then."
        )
    return None


@members_only
def index(request):
    user = request.user
    return render(
        request,
        "forums/index.html",
        {
            "categories": selectors.category_list(user),
            "can_post": selectors.can_post(user),
            "is_moderator": selectors.is_moderator(user),
        },
    )


@members_only
def category(request, slug):
    user = request.user
    category = _category(user, slug)
    page = paginate(request, selectors.thread_list(user, category), selectors.THREADS_PER_PAGE)
    return render(
        request,
        "forums/category.html",
        {
            "category": category,
            "page": page,
            "can_post": selectors.can_post(user),
            "watch_form": WatchForm(initial={"level": _watch_level(user, category=category)}),
        },
    )


def _must_look_again(form, text, *, already=(), screened=None) -> bool:
    """Whether to show the writer their text again before posting: it @mentions someone we
    cannot find and they have not yet been told. The text is kept as typed; posting again
    posts it. Any personal-data findings in ``screened`` (by default ``text``) are shown at
    the same time, so that one look covers both."""
    unknown = selectors.unknown_mentions(text, already=set(already) | form.checked_mentions())
    if not unknown:
        return False
    form.warn_unknown_mentions(unknown)
    findings = [finding.as_dict() for finding in find_identifiers(screened or text)]
    if findings and form.cleaned_data["confirm_personal_data"]:
        form.findings = findings  # Shown with the box still ticked, so it is sent again.
    elif findings:
        form.show_findings(findings)
    return True


def _posting_error(form, error):
    if isinstance(error, services.PersonalDataFound):
        form.show_findings(error.findings)
    else:
        for message in error.messages:
            form.add_error(None, message)


@members_only
@require_http_methods(["GET", "POST"])
def thread_new(request, slug):
    user = request.user
    category = _category(user, slug)
    if not selectors.can_post(user):
        return render(request, "forums/read_only.html", {"category": category}, status=403)
    form = ThreadForm(_posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and not _must_look_again(
            form,
            form.cleaned_data["body"],
            # The same text the service screens, so that one look covers the title too.
            screened=f"{form.cleaned_data['title']}\n{form.cleaned_data['body']}",
        )
    ):
        try:
            thread = services.thread_create(
                category=category,
                author=user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                confirmed_findings=form.cleaned_data["confirm_personal_data"],
            )
        except ValidationError as error:
            _posting_error(form, error)
        else:
            message = _held_message(thread.opening_post)
            messages.success(request, message or "Your thread has been started.")
            return redirect(thread.get_absolute_url())
    return render(
        request,
        "forums/thread_new.html",
        {"category": category, "form": form},
        status=_status(form),
    )


def _status(form):
    return 200 if not form.errors else 400


@members_only
def thread(request, thread_id):
    user = request.user
    thread = _thread(user, thread_id)
    page = paginate(request, selectors.thread_posts(thread), selectors.POSTS_PER_PAGE)
    posts = list(page.object_list)
    if posts:
        services.thread_mark_read(user=user, thread=thread, post_number=posts[-1].number)
    can_post = selectors.can_post(user)
    # Defence in depth: the session line names and links the event only for those who may see it.
    session_event = thread.session.event if thread.session_id else None
    return render(
        request,
        "forums/thread.html",
        {
            "thread": thread,
            "session_event": session_event
            if session_event and can_view(user, session_event)
            else None,
            "category": thread.category,
            "page": page,
            "posts": posts,
            "useful_ids": selectors.useful_post_ids(user, posts),
            "can_post": can_post,
            "can_reply": can_post and not thread.is_locked and thread.is_visible,
            "is_moderator": selectors.is_moderator(user),
            "reply_form": ReplyForm(),
            "watch_form": WatchForm(initial={"level": _watch_level(user, thread=thread)}),
        },
    )


def _write_post(request, form, *, already=(), save, done, template, context):
    """The reply and edit forms: warn about unknown @mentions and personal data, then ``save``
    (a service call given the cleaned form) and send the writer to their post."""
    if (
        request.method == "POST"
        and form.is_valid()
        and not _must_look_again(form, form.cleaned_data["body"], already=already)
    ):
        try:
            post = save(
                body=form.cleaned_data["body"],
                confirmed_findings=form.cleaned_data["confirm_personal_data"],
            )
        except ValidationError as error:
            _posting_error(form, error)
        else:
            messages.success(request, _held_message(post) or done)
            return redirect(post.get_absolute_url())
    return render(request, template, {**context, "form": form}, status=_status(form))


@members_only
@require_http_methods(["GET", "POST"])
def reply(request, thread_id):
    user = request.user
    thread = _thread(user, thread_id)
    if not selectors.can_post(user):
        return render(request, "forums/read_only.html", {"category": thread.category}, status=403)
    initial = {}
    quote_id = request.GET.get("quote", "")
    if request.method == "GET" and quote_id.isdigit():
        quoted = Post.objects.filter(
            pk=quote_id, thread=thread, status=Post.Status.VISIBLE
        ).first()
        if quoted:
            initial["body"] = quote_markdown(quoted.author.get_full_name(), quoted.body)
    return _write_post(
        request,
        ReplyForm(_posted(request), initial=initial),
        save=partial(services.post_reply, thread=thread, author=user),
        done="Your reply has been posted.",
        template="forums/reply.html",
        context={"thread": thread},
    )


@members_only
@require_http_methods(["GET", "POST"])
def post_edit(request, post_id):
    user = request.user
    post = _post(user, post_id)
    if post.author_id != user.pk or post.status in (Post.Status.HIDDEN, Post.Status.DELETED):
        raise Http404
    if not selectors.can_post(user):
        return render(
            request, "forums/read_only.html", {"category": post.thread.category}, status=403
        )
    form = ReplyForm(_posted(request), initial={"body": post.body})
    form.fields["body"].label = "Your post"
    return _write_post(
        request,
        form,
        # Names the post already held were warned about when it was written.
        already=mentioned_handles(post.body),
        save=partial(services.post_edit, post=post, editor=user),
        done="Your post has been changed.",
        template="forums/post_edit.html",
        context={"post": post},
    )


@members_only
@require_http_methods(["GET", "POST"])
def post_delete(request, post_id):
    user = request.user
    post = _post(user, post_id)
    if post.author_id != user.pk or post.status == Post.Status.DELETED:
        raise Http404
    if not selectors.can_post(user):
        return render(
            request, "forums/read_only.html", {"category": post.thread.category}, status=403
        )
    if request.method == "POST":
        services.post_delete(post=post, user=user)
        messages.success(request, "Your post has been deleted.")
        return redirect(post.get_absolute_url())
    return render(request, "forums/post_delete.html", {"post": post})


@members_only
@require_http_methods(["GET", "POST"])
def post_flag(request, post_id):
    user = request.user
    post = _post(user, post_id)
    if not post.is_visible:
        raise Http404
    if not selectors.can_post(user):
        return render(
            request, "forums/read_only.html", {"category": post.thread.category}, status=403
        )
    form = FlagForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.post_flag(
                post=post,
                user=user,
                reason=form.cleaned_data["reason"],
                detail=form.cleaned_data["detail"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Thank you. A moderator will look at the post you flagged.")
            return redirect(post.get_absolute_url())
    return render(
        request, "forums/post_flag.html", {"post": post, "form": form}, status=_status(form)
    )


@members_only
@require_POST
def post_useful(request, post_id):
    user = request.user
    post = _post(user, post_id)
    try:
        voted = services.post_toggle_useful(post=post, user=user)
    except PermissionDenied:
        return render(
            request, "forums/read_only.html", {"category": post.thread.category}, status=403
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "You found this post useful." if voted else "Your vote has been taken back."
        )
    return redirect(post.get_absolute_url())


@members_only
@require_POST
def post_answer(request, post_id):
    user = request.user
    post = _post(user, post_id)
    thread = post.thread
    clear = request.POST.get("clear") == "1"
    try:
        services.thread_mark_answer(thread=thread, post=None if clear else post, user=user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "The answer has been cleared." if clear else "Marked as the answer."
        )
    return redirect(post.get_absolute_url())


def _set_watch(request, *, thread=None, category=None):
    form = WatchForm(request.POST)
    if form.is_valid():
        services.subscription_set(
            user=request.user, level=form.cleaned_data["level"], thread=thread, category=category
        )
        messages.success(request, "Your notification setting has been saved.")
    else:
        messages.error(request, "Select how you want to be notified.")


@members_only
@require_POST
def thread_watch(request, thread_id):
    thread = _thread(request.user, thread_id)
    _set_watch(request, thread=thread)
    return redirect(thread.get_absolute_url())


@members_only
@require_POST
def category_watch(request, slug):
    category = _category(request.user, slug)
    _set_watch(request, category=category)
    return redirect("forums:category", slug=category.slug)


@members_only
def member(request, handle):
    """A member's forum page: who they are and their latest posts the viewer may read."""
    standing = get_object_or_404(
        selectors.mentionable_members().select_related("user__organisation"), handle=handle
    )
    return render(
        request,
        "forums/member.html",
        {
            "member": standing,
            "posts": selectors.member_posts(request.user, standing.user),
        },
    )


@members_only
@require_http_methods(["GET"])
def mention_suggestions(request):
    """JSON for the @mention autocomplete: up to eight members' handles, names and
    organisations, for members who may post. Signed-out visitors are sent to sign in and
    others get 403 (``members_only``), so nobody outside the forums can list members."""
    user = request.user
    if not selectors.can_post(user):
        return JsonResponse({"members": []}, status=403)
    try:
        services.check_lookup_rate(user)
    except services.RateLimited as error:
        return JsonResponse({"members": [], "error": error.message}, status=429)
    query = request.GET.get("q", "")[:60]
    return JsonResponse({"members": selectors.mention_suggestions(user, query)})


@members_only
@require_http_methods(["GET", "POST"])
def preferences(request):
    member = services.member_for(request.user)
    form = PreferencesForm(_posted(request), initial={"email_frequency": member.email_frequency})
    if request.method == "POST" and form.is_valid():
        services.email_frequency_set(
            user=request.user, frequency=form.cleaned_data["email_frequency"]
        )
        messages.success(request, "Your forum email setting has been saved.")
        return redirect("forums:preferences")
    return render(
        request,
        "forums/preferences.html",
        {"form": form, "member": member},
        status=_status(form),
    )


# Mail programs send the one-click unsubscribe POST (RFC 8058) without a CSRF token or a
# session; the signed token in the address is what proves the request is the member's.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user_pk = notifications.user_pk_from_unsubscribe_token(token)
    user = User.objects.filter(pk=user_pk).first() if user_pk else None
    if user is None:
        return render(request, "forums/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        services.email_frequency_set(user=user, frequency="never")
        return render(request, "forums/unsubscribed.html")
    return render(request, "forums/unsubscribe.html", {"token": token})
