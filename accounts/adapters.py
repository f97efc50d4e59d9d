from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from kx_site.staff import SECOND_FACTOR_TYPES, has_second_factor


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Send allauth's emails through the background task, so a mail fault never fails a
        sign-up or password reset."""
        from kx_site.notifications import enqueue_email

        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        enqueue_email(subject=message.subject, body=message.body, to=message.to)

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        """Staff keep at least one authenticator app or security key: it is their second factor."""
        user = authenticator.user
        if not user.is_kx_staff or authenticator.type not in SECOND_FACTOR_TYPES:
            return True
        return has_second_factor(user, excluding=authenticator)
