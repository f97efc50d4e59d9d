"""Forums: categories with audience rules, threads, posts, notifications and moderation.

Who may see a category is decided by ``forums.selectors.visible_categories`` alone; everything
else (threads, posts, counts, notifications, digests) is reached through the categories it
returns.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel

from kx_site.audience import Audience, AudienceMixin

# Paths under /forums/ that a category's slug must not take.
RESERVED_SLUGS = {"preferences", "unsubscribe", "threads", "posts", "members", "mentions"}


class ForumCategory(AudienceMixin, ClusterableModel):
    """A space for discussion, open to all verified practitioners or to some of them."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
        *AudienceMixin.audience_panels,
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "forum category"
        verbose_name_plural = "forum categories"
        permissions = [("moderate_forums", "Can moderate the forums")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": "This slug is used by the forums' own pages."})
        # The forums are for verified practitioners only, whatever a category says.
        if self.audience in (Audience.PUBLIC, Audience.REGISTERED):
            raise ValidationError(
                {
                    "audience": "Forum categories are for practitioners: choose Practitioners "
                    "or Restricted."
                }
            )


class Thread(models.Model):
    category = models.ForeignKey(ForumCategory, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=150)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_threads"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Denormalised in services so that lists never count posts.
    post_count = models.PositiveIntegerField(default=0, help_text="Posts others can read.")
    last_post_number = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(default=timezone.now)
    # False while the opening post waits for a moderator's approval.
    is_visible = models.BooleanField(default=True)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.OneToOneField(
        "events.EventSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discussion_thread",
    )

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-pk"]
        indexes = [
            models.Index(
                fields=["category", "-is_pinned", "-last_post_at", "-id"],
                name="forums_thread_listing",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("forums:thread", args=[self.pk])


class Post(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        PENDING = "pending", "Waiting for approval"
        HIDDEN = "hidden", "Hidden by a moderator"
        DELETED = "deleted", "Deleted by its author"

    class HoldReason(models.TextChoices):
        NONE = "", "None"
        FIRST_POSTS = "first_posts", "A new member's first posts"
        PERSONAL_DATA = "personal_data", "The author confirmed possible personal data"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField(help_text="Position in the thread, from 1.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts"
    )
    body = models.TextField(help_text="Markdown, as written.")
    body_html = models.TextField(help_text="The body rendered and sanitised.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VISIBLE)
    hold_reason = models.CharField(max_length=16, choices=HoldReason.choices, blank=True)
    identifier_findings = models.JSONField(default=list, blank=True)
    useful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set once the post has been announced, so that approval never notifies twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="one_post_per_number")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="forums_post_status")]

    def __str__(self):
        return f"{self.thread} #{self.number}"

    def get_absolute_url(self):
        from django.urls import reverse

        from .selectors import POSTS_PER_PAGE

        page = (self.number - 1) // POSTS_PER_PAGE + 1
        url = reverse("forums:thread", args=[self.thread_id])
        return f"{url}?page={page}#post-{self.number}" if page > 1 else f"{url}#post-{self.number}"

    @property
    def is_visible(self):
        return self.status == self.Status.VISIBLE


class PostRevision(models.Model):
    """The text of a post before each edit: kept for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-edited_at", "-pk"]

    def __str__(self):
        return f"Revision of {self.post_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class UsefulVote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="useful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_useful_vote_per_user")
        ]

    def __str__(self):
        return f"{self.user_id} found {self.post_id} useful"


class ThreadReadState(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_post_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="one_read_state_per_thread")
        ]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id} to {self.last_read_post_number}"


class ForumMember(models.Model):
    """A member's forum settings and standing, made the first time they are needed."""

    class EmailFrequency(models.TextChoices):
        IMMEDIATE = "immediate", "Straight away, one email for each notification"
        DAILY = "daily", "Once a day, in a digest"
        NEVER = "never", "Never"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_member"
    )
    handle = models.SlugField(
        max_length=60, unique=True, help_text="Others mention this member as @handle."
    )
    email_frequency = models.CharField(
        max_length=16, choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATE
    )
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"@{self.handle}"

    @property
    def is_suspended(self):
        return self.suspended_until is not None and self.suspended_until > timezone.now()


class WatchLevel(models.TextChoices):
    WATCH = "watch", "Watching: email me about every new post"
    NORMAL = "normal", "Normal: only when someone mentions me"
    MUTE = "mute", "Muted: never notify me, even when mentioned"


class ForumSubscription(models.Model):
    """A member's watch level for one thread or one category (a thread's level wins)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_subscriptions"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    category = models.ForeignKey(
        ForumCategory,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    level = models.CharField(max_length=8, choices=WatchLevel.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=True, category__isnull=False)
                | Q(thread__isnull=False, category__isnull=True),
                name="subscription_thread_or_category",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="one_subscription_per_thread",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="one_subscription_per_category",
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.level} {self.thread_id or self.category_id}"


class Notification(models.Model):
    """Something a member should hear about; emailed at once or gathered into a digest."""

    class Reason(models.TextChoices):
        MENTION = "mention", "mentioned you"
        WATCHING = "watching", "posted in a thread you watch"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_notifications"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="one_notification_per_post")
        ]
        indexes = [models.Index(fields=["emailed_at", "user"], name="forums_notification_due")]

    def __str__(self):
        return f"{self.user_id}: {self.reason} {self.post_id}"


class Flag(models.Model):
    class Reason(models.TextChoices):
        PERSONAL_DATA = "personal_data", "It contains personal data"
        INAPPROPRIATE = "inappropriate", "It is inappropriate"
        OFF_TOPIC = "off_topic", "It is off topic"
        OTHER = "other", "Something else"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "flagged_by"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_member",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.post_id}"
