from django.conf import settings


def site_shell(request):
    """What every page's header and footer need."""
    user = request.user
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "show_verification_lapsed": user.is_authenticated and user.verification_lapsed,
    }
