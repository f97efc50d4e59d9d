"""The authentication backends: Django's and allauth's, loading the signed-in user in one query.

Every signed-in request asks who the user is, then whether the account is staff, whether it has a
second factor, whether its email address is verified and which organisation it belongs to. Asked
one by one that was four queries after the user's own (docs/performance.md); here the user is
loaded with what answers them (``User.objects.for_request()``), which the checks then read.
"""

import functools

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from .models import User


@functools.cache
def request_users():
    """Built once per process, and each request filters a copy (as a generic view's
    ``queryset`` attribute is shared and copied): building the four subqueries anew took longer
    than running the query (3.7 against 2.1 ms a request, measured)."""
    return User.objects.for_request().order_by()


class RequestUserMixin:
    def get_user(self, user_id):
        user = next(iter(request_users().filter(pk=user_id)), None)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(RequestUserMixin, django_backends.ModelBackend):
    pass


class AuthenticationBackend(RequestUserMixin, allauth_backends.AuthenticationBackend):
    pass
