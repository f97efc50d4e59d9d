from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

# Every area that only staff use. Staff without an authenticator app cannot open any of them.
STAFF_PATH_PREFIXES = ("/admin/",)
# Lapsed practitioners may still manage their account (and confirm their details) here.
ACCOUNT_PATH_PREFIX = "/accounts/"


class StaffMFARequiredMiddleware:
    """Sends staff who have not set up an authenticator app to set one up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(STAFF_PATH_PREFIXES)
            and user.is_authenticated
            and user.is_kx_staff
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(
                request,
                "Staff accounts must use an authenticator app. Set one up to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class LapsedVerificationReadOnlyMiddleware:
    """A practitioner whose yearly confirmation is overdue can read but not write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and not request.path.startswith(ACCOUNT_PATH_PREFIX)
            and user.is_authenticated
            and user.verification_lapsed
        ):
            messages.warning(
                request,
                "Confirm your organisation and role before you add or change anything.",
            )
            return redirect(reverse("accounts:reconfirm"))
        return self.get_response(request)
