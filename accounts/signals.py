from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from . import services


@receiver(email_confirmed)
def verify_practitioner_from_confirmed_email(request, email_address, **kwargs):
    services.practitioner_verify_from_email(user=email_address.user, email=email_address.email)
