from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.permissions import has_staff_powers, is_staff_account

# What a staff account without a second factor may still open: its own account pages (where it
# sets the factor up, verifies its email and signs out). Everything else sends it to set up the
# factor first, so that no staff power applies on any page, document, image, search or API.
SECOND_FACTOR_SETUP_PATH_PREFIXES = ("/accounts/", "/static/", "/robots.txt", "/favicon.ico")
API_PATH_PREFIX = "/api/"
# Lapsed practitioners may still manage their account (and confirm their details) here.
ACCOUNT_PATH_PREFIX = "/accounts/"


class StaffMFARequiredMiddleware:
    """Sends staff who have no second factor to set up an authenticator app first, wherever they
    go, and stops them removing their last security key (allauth asks the MFA adapter only for
    authenticator apps)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(SECOND_FACTOR_SETUP_PATH_PREFIXES)
            and is_staff_account(user)
            and not has_staff_powers(user)
        ):
            return self.second_factor_required(request)
        return self.get_response(request)

    def second_factor_required(self, request):
        message = (
            "Staff accounts must use an authenticator app or a security key. "
            "Set up an authenticator app to continue."
        )
        if request.path.startswith(API_PATH_PREFIX):
            return JsonResponse({"error": message}, status=403)
        messages.warning(request, message)
        return redirect(reverse("mfa_activate_totp"))

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name != "mfa_remove_webauthn":
            return None
        if not request.user.is_authenticated:
            return None
        key = Authenticator.objects.filter(
            pk=view_kwargs.get("pk"), user=request.user, type=Authenticator.Type.WEBAUTHN
        ).first()
        if key is None or get_mfa_adapter().can_delete_authenticator(key):
            return None
        messages.error(
            request,
            "Staff accounts must keep an authenticator app or a security key. "
            "Add another one before you remove this key.",
        )
        return redirect(reverse("mfa_list_webauthn"))


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
