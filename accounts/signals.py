from allauth.account.signals import email_confirmed
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import audit, services
from .models import User


@receiver(email_confirmed)
def verify_practitioner_from_confirmed_email(request, email_address, **kwargs):
    services.practitioner_verify_from_email(user=email_address.user, email=email_address.email)


@receiver(post_delete, sender=User)
def erase_account_log_entries(sender, instance, **kwargs):
    audit.erase_for(instance.pk)
