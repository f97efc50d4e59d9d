"""Writes that change a member's standing. Views, commands and signals call these."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kx_site.notifications import queue_email

from . import audit
from .models import (
    Organisation,
    OrganisationDomain,
    User,
    VerificationMethod,
    VerificationRequest,
)


def email_domain(email):
    return email.rsplit("@", 1)[-1].strip().lower()


def _candidate_domains(email):
    """``a.kent.police.uk`` -> ``a.kent.police.uk``, ``kent.police.uk``, ``police.uk``."""
    parts = email_domain(email).split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def _organisations_for_emails(emails):
    """One query for every candidate domain of every address; the most specific match wins
    for each address."""
    candidates = {email: _candidate_domains(email) for email in emails}
    all_domains = {domain for domains in candidates.values() for domain in domains}
    owners = {}
    for domain, organisation_id in OrganisationDomain.objects.filter(
        domain__in=all_domains, organisation__is_active=True
    ).values_list("domain", "organisation_id"):
        owners.setdefault(domain, set()).add(organisation_id)
    organisation_ids = set()
    for domains in candidates.values():
        for domain in domains:  # most specific first
            if domain in owners:
                organisation_ids |= owners[domain]
                break
    return Organisation.objects.filter(pk__in=organisation_ids)


def organisations_for_email(email):
    """Organisations whose most specific registered domain matches ``email``.

    ``a.kent.police.uk`` matches ``kent.police.uk``; where both ``justice.gov.uk`` and a more
    specific domain are registered, only the more specific one counts.
    """
    return _organisations_for_emails([email])


def organisations_for_user(user):
    """Organisations the user can join by proving a verified email address."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return _organisations_for_emails(list(emails))


@transaction.atomic
def practitioner_verify(*, user, organisation, method, actor=None, job_title=None):
    user = User.objects.select_for_update().get(pk=user.pk)
    user.organisation = organisation
    user.verified_at = timezone.now()
    user.verification_method = method
    if job_title:
        user.job_title = job_title
    user.save(update_fields=["organisation", "verified_at", "verification_method", "job_title"])
    VerificationRequest.objects.filter(
        user=user, status=VerificationRequest.Status.PENDING
    ).update(status=VerificationRequest.Status.WITHDRAWN)
    audit.record(
        user,
        audit.VERIFIED,
        actor=actor,
        detail=f"{organisation} ({VerificationMethod(method).label})",
    )
    return user


def practitioner_verify_from_email(*, user, email):
    """Verify at once when a newly confirmed address belongs to exactly one organisation.

    Returns the user's organisations to choose from when the domain is shared, else None.
    """
    if user.is_practitioner and not user.verification_lapsed:
        return None
    matches = list(organisations_for_email(email))
    if len(matches) == 1:
        practitioner_verify(user=user, organisation=matches[0], method=VerificationMethod.DOMAIN)
        return None
    return matches or None


def practitioner_choose_organisation(*, user, organisation):
    """Verify a member whose email domain is shared by several organisations (e.g. probation)."""
    if not organisations_for_user(user).filter(pk=organisation.pk).exists():
        raise ValidationError("Your verified email addresses do not belong to that organisation.")
    return practitioner_verify(
        user=user, organisation=organisation, method=VerificationMethod.DOMAIN
    )


@transaction.atomic
def verification_request_create(*, user, organisation, job_title, reason):
    if user.is_practitioner and not user.verification_lapsed and user.organisation == organisation:
        raise ValidationError("You are already a verified member of that organisation.")
    if VerificationRequest.objects.filter(
        user=user, status=VerificationRequest.Status.PENDING
    ).exists():
        raise ValidationError("You already have a request waiting for a decision.")
    request = VerificationRequest.objects.create(
        user=user, organisation=organisation, job_title=job_title, reason=reason
    )
    audit.record(user, audit.VERIFICATION_REQUESTED, actor=user, detail=str(organisation))
    return request


@transaction.atomic
def verification_request_decide(*, verification_request, approve, decided_by, note=""):
    request = VerificationRequest.objects.select_for_update().get(pk=verification_request.pk)
    if request.status != VerificationRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    request.status = (
        VerificationRequest.Status.APPROVED if approve else VerificationRequest.Status.REFUSED
    )
    request.decided_at = timezone.now()
    request.decided_by = decided_by
    request.decision_note = note
    request.save()
    if approve:
        practitioner_verify(
            user=request.user,
            organisation=request.organisation,
            method=VerificationMethod.APPROVAL,
            actor=decided_by,
            job_title=request.job_title,
        )
    else:
        audit.record(request.user, audit.VERIFICATION_REFUSED, actor=decided_by, detail=note)
    queue_email(
        template_name="verification_approved" if approve else "verification_refused",
        to=request.user.email,
        context={"user": request.user, "verification_request": request},
    )
    return request


@transaction.atomic
def practitioner_reconfirm(*, user, job_title):
    """A practitioner whose verification has lapsed confirms organisation and role again."""
    if not user.is_practitioner:
        raise ValidationError("Only verified practitioners can confirm their details.")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.job_title = job_title
    user.verified_at = timezone.now()
    user.save(update_fields=["job_title", "verified_at"])
    audit.record(
        user,
        audit.VERIFICATION_CONFIRMED,
        actor=user,
        detail=f"{user.organisation}, {job_title}",
    )
    return user


@transaction.atomic
def profile_update(*, user, first_name, last_name, job_title):
    user.first_name = first_name
    user.last_name = last_name
    user.job_title = job_title
    user.save(update_fields=["first_name", "last_name", "job_title"])
    return user
