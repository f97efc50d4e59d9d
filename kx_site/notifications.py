"""Email sent by background tasks after the surrounding transaction commits.

A failing mail server never fails the request that caused the email: the task logs the
failure and, where the task backend can defer work, tries again later with a growing delay.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)


@task()
def send_email(*, subject, body, to, attachments=(), attempt=1, headers=None):
    """``attachments`` are ``(filename, text, mimetype)`` triples, so the task stays JSON."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, headers=headers)
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - SMTP, socket and DNS errors all land here.
        logger.warning("Email %r to %s failed (attempt %s): %s", subject, to, attempt, exc)
        if attempt < settings.KX_EMAIL_MAX_ATTEMPTS and default_task_backend.supports_defer:
            retry = {"headers": headers} if headers else {}
            send_email.using(run_after=timezone.now() + timedelta(minutes=2**attempt)).enqueue(
                subject=subject,
                body=body,
                to=to,
                attachments=attachments,
                attempt=attempt + 1,
                **retry,
            )
            return "retrying"
        logger.error("Email %r to %s given up after %s attempts", subject, to, attempt)
        return "failed"
    return "sent"


def _render_text(template_name, context):
    # Plain text: HTML auto-escaping would send "O'Brien" as "O&#x27;Brien".
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def render_email(template_name, context):
    """Render ``email/<name>_subject.txt`` and ``email/<name>_message.txt``."""
    subject = _render_text(f"email/{template_name}_subject.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    body = _render_text(f"email/{template_name}_message.txt", context)
    return subject, body


def queue_email(*, template_name, to, context, attachments=(), headers=None):
    """Send an email from templates once the current transaction has committed.

    ``headers`` are extra message headers, such as ``List-Unsubscribe``.
    """
    context = {"base_url": settings.WAGTAILADMIN_BASE_URL, **context}
    subject, body = render_email(template_name, context)
    recipients = [to] if isinstance(to, str) else list(to)
    attachments = [list(attachment) for attachment in attachments]
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject,
            body=body,
            to=recipients,
            attachments=attachments,
            **({"headers": dict(headers)} if headers else {}),
        )
    )


def unsubscribe_token(user, *, salt):
    """A signed, non-expiring token naming ``user``, for an unsubscribe link that needs no login.

    Each kind of email signs with its own ``salt``, so a forum token cannot unsubscribe anyone
    from briefings.
    """
    return signing.dumps(user.pk, salt=salt, compress=True)


def user_pk_from_unsubscribe_token(token, *, salt):
    """The user id in a token made by ``unsubscribe_token`` with ``salt``, or None if forged."""
    try:
        return int(signing.loads(token, salt=salt))
    except (signing.BadSignature, TypeError, ValueError):
        return None
