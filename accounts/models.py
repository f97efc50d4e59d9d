from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager, Permission
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

from kx_site.audience import OrganisationKind


class Organisation(ClusterableModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    is_active = models.BooleanField(
        default=True, help_text="Inactive organisations cannot be chosen by new members."
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("is_active"),
        InlinePanel("domains", heading="Email domains", label="Domain"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationDomain(models.Model):
    """An email domain whose verified addresses prove membership of an organisation.

    One domain may belong to several organisations (``justice.gov.uk`` serves every probation
    region); a member whose domain matches several then picks which one is theirs.
    """

    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        max_length=253, help_text="For example kent.police.uk. Subdomains match too."
    )

    panels = [FieldPanel("domain")]

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "domain"], name="unique_domain_per_organisation"
            )
        ]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def for_request(self):
        """Users with what every request asks of the signed-in one, in the same query: the
        organisation; whether the account could hold the admin's permission at all (it is in a
        group, or has permissions of its own: most members have neither, and ``is_kx_staff`` then
        needs no query of its own); whether it has a second factor (``has_staff_powers``) and a
        verified email address (``user_has_verified_email``). The answers hold for the request
        that loaded the user."""
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator

        from kx_site.staff import SECOND_FACTOR_TYPES

        user = OuterRef("pk")
        return (
            self.get_queryset()
            .select_related("organisation")
            .annotate(
                kx_in_a_group=Exists(User.groups.through.objects.filter(user=user)),
                kx_has_own_permissions=Exists(
                    User.user_permissions.through.objects.filter(user=user)
                ),
                kx_second_factor=Exists(
                    Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES)
                ),
                kx_verified_email=Exists(EmailAddress.objects.filter(user=user, verified=True)),
            )
        )


def admin_access_permissions():
    return Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )


class VerificationMethod(models.TextChoices):
    DOMAIN = "domain", "Email domain"
    APPROVAL = "approval", "Approved by an administrator"


class User(AbstractUser):
    """A person with a KX account. Email is the login; there is no username."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField("role", max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="Set only by verification: the organisation this person is verified in.",
    )
    verified_at = models.DateTimeField(
        "practitioner verified or last confirmed at", null=True, blank=True
    )
    verification_method = models.CharField(
        max_length=16, choices=VerificationMethod.choices, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_practitioner(self):
        """A verified member of a registered organisation (lapsed members still read)."""
        return self.organisation_id is not None and self.verified_at is not None

    @property
    def verification_lapsed(self):
        if not self.is_practitioner:
            return False
        return self.verified_at + settings.KX_VERIFICATION_VALID_FOR < timezone.now()

    @property
    def can_contribute(self):
        """Whether this practitioner may write: lapsed members are read-only until they confirm."""
        return self.is_practitioner and not self.verification_lapsed

    @cached_property
    def is_kx_staff(self):
        """Editors, moderators, organisers and administrators: all must use MFA.

        Asked on every signed-in request (StaffMFARequiredMiddleware), so in one query rather
        than the two ``has_perm`` loads all permissions with; the same answer as
        ``has_perm("wagtailadmin.access_admin")`` under ModelBackend, the only backend that
        grants permissions here. Kept for the request that loaded the user.
        """
        if self.is_staff or self.is_superuser:
            return True
        if not self.is_active or self.pk is None:
            return False
        if getattr(self, "kx_in_a_group", True) is False and not self.kx_has_own_permissions:
            return False  # loaded by User.objects.for_request(): no permission to look for
        return admin_access_permissions().filter(Q(user=self) | Q(group__user=self)).exists()


class VerificationRequest(models.Model):
    """A member's request to be verified as a practitioner, for an administrator to decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_requests"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    job_title = models.CharField("role", max_length=200)
    reason = models.TextField(help_text="Why this person needs practitioner access.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.TextField(blank=True, help_text="Sent to the member with the decision.")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="one_pending_verification_request_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_status_display()})"
