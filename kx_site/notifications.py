"""Email sent by background tasks after the surrounding transaction commits.

A failing mail server never fails the request that caused the email: the task logs the
failure and, where the task backend can defer work (the database queue), tries again later,
waiting ``KX_EMAIL_RETRY_BASE_SECONDS * 2**attempt`` seconds.

Each email is given its Message-ID when it is queued, and keeps it through every retry. Once a
mail server has accepted it, the id is recorded (``SentEmail``), and a task whose id is recorded
sends nothing: neither a retry nor a task put back in the queue after its worker died sends a
second copy. SMTP cannot close the last gap: a worker that dies in the moment between the
server's "250 OK" and that record leaves a task that will send again. That copy carries the
same Message-ID, so it is recognisably the same message, and mail programs that de-duplicate
by Message-ID show it once.
"""

import logging
from contextlib import suppress
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django_tasks import task

from kx_site.links import base_url
from kx_site.models import SentEmail
from kx_site.retrying import retry_later

logger = logging.getLogger(__name__)

# Far longer than a run of retries (about half an hour) or than a stuck task waits to be put back.
SENT_EMAIL_KEPT_FOR = timedelta(days=30)


@task()
def send_email(*, subject, body, to, attachments=(), attempt=1, headers=None, message_id=None):
    """``attachments`` are ``(filename, text, mimetype)`` triples, so the task stays JSON.

    ``message_id`` (given by ``enqueue_email``) makes the send idempotent; without one, as for
    tasks queued before ids existed, every run sends.
    """
    if message_id and SentEmail.objects.filter(message_id=message_id).exists():
        logger.info("Email %s was accepted by the mail server before: not sent again", message_id)
        return "already sent"
    message_headers = {**(headers or {}), **({"Message-ID": message_id} if message_id else {})}
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, headers=message_headers or None
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    connection = get_connection()
    try:
        connection.send_messages([message])
    except Exception as exc:  # noqa: BLE001 - SMTP, socket and DNS errors all land here.
        # Django's SMTP backend can leave a half-opened connection behind (say, when the server
        # offers no login); a worker runs for days. The log keeps the text, not the exception
        # and so the traceback holding that connection.
        with suppress(Exception):
            connection.close()
        logger.warning("Email %r to %s failed (attempt %s): %s", subject, to, attempt, str(exc))
        retry = {"headers": headers} if headers else {}
        if message_id:
            retry["message_id"] = message_id
        if retry_later(
            send_email,
            attempt=attempt,
            max_attempts=settings.KX_EMAIL_MAX_ATTEMPTS,
            first_delay=timedelta(seconds=settings.KX_EMAIL_RETRY_BASE_SECONDS),
            subject=subject,
            body=body,
            to=to,
            attachments=attachments,
            **retry,
        ):
            return "retrying"
        logger.error("Email %r to %s given up after %s attempts", subject, to, attempt)
        return "failed"
    if message_id:
        now = timezone.now()
        SentEmail.objects.get_or_create(message_id=message_id, defaults={"sent_at": now})
        SentEmail.objects.filter(sent_at__lt=now - SENT_EMAIL_KEPT_FOR).delete()
    return "sent"


def new_message_id():
    """A unique Message-ID in the domain KX sends from (never the host's own name)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return make_msgid(domain=domain or DNS_NAME.get_fqdn())


def enqueue_email(*, subject, body, to, attachments=(), headers=None):
    """Queue ``send_email`` now, under a new Message-ID that its retries keep."""
    return send_email.enqueue(
        subject=subject,
        body=body,
        to=[to] if isinstance(to, str) else list(to),
        attachments=[list(attachment) for attachment in attachments],
        message_id=new_message_id(),
        **({"headers": dict(headers)} if headers else {}),
    )


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
    context = {"base_url": base_url(), **context}
    subject, body = render_email(template_name, context)
    recipients = [to] if isinstance(to, str) else list(to)
    attachments = [list(attachment) for attachment in attachments]
    headers = dict(headers) if headers else None
    transaction.on_commit(
        lambda: enqueue_email(
            subject=subject, body=body, to=recipients, attachments=attachments, headers=headers
        )
    )


def unsubscribe_token(user, *, salt):
    """A signed, non-expiring token naming ``user``, for an unsubscribe link that needs no login.

    Each kind of email signs with its own ``salt``, so that a token from a forum email cannot
    unsubscribe anyone from the briefings.
    """
    return signing.dumps(user.pk, salt=salt, compress=True)


def user_pk_from_unsubscribe_token(token, *, salt):
    """The user id in a token made by ``unsubscribe_token`` with ``salt``, or None if forged."""
    try:
        return int(signing.loads(token, salt=salt))
    except (signing.BadSignature, TypeError, ValueError):
        return None
