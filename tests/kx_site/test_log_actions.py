"""One declaration per app's audit trail (``kx_site.log_actions.LogActions``): the names, the
registration with Wagtail and the entries' query all come from it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.log_actions import LogActionRegistry, LogFormatter
from wagtail.models import ModelLogEntry, Page

from kx_site.log_actions import LogActions


class WithReason(LogFormatter):
    def format_message(self, log_entry):
        return f"{self.message} ({log_entry.data['reason']})"


PLAIN = LogActions("kx.test.", {"opened": ("Open", "Opened"), "shut": ("Shut", "Shut it")})
FORMATTED = LogActions("kx.test.", {"closed": ("Close", "Closed")}, formatter=WithReason)


def registry_of(*families):
    registry = LogActionRegistry()
    # Only these families, not every app's hook.
    registry.has_scanned_for_actions = True
    for family in families:
        family.register(registry)
    return registry


def test_each_action_is_registered_with_its_label_and_message():
    registry = registry_of(PLAIN, FORMATTED)

    assert registry.get_action_label("kx.test.opened") == "Open"
    assert registry.get_action_label("kx.test.closed") == "Close"
    entry = log_entry("kx.test.shut")
    assert registry.get_formatter(entry).format_message(entry) == "Shut it"
    entry = log_entry("kx.test.closed", reason="late")
    assert registry.get_formatter(entry).format_message(entry) == "Closed (late)"


def log_entry(action, **data):
    return ModelLogEntry(action=action, data=data)


def test_an_unknown_action_is_refused_and_names_are_read_back():
    with pytest.raises(ValueError, match=r"kx\.test\.burnt"):
        PLAIN.action("burnt")

    entry = log_entry(PLAIN.action("opened"))
    assert (PLAIN.name(entry), PLAIN.label(entry)) == ("opened", "Open")
    assert PLAIN.label(log_entry("kx.test.gone")) == "gone"


@pytest.mark.django_db
def test_entries_are_those_of_the_family_only():
    root = Page.objects.get(depth=1)
    # Written as rows (log() refuses actions the site's registry does not hold).
    opened, _, _ = ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=ContentType.objects.get_for_model(root),
            object_id=str(root.pk),
            label="Root",
            action=action,
            timestamp=timezone.now(),
        )
        for action in ("kx.test.opened", "kx.test.closed", "wagtail.edit")
    )

    assert [entry.pk for entry in PLAIN.entries()] == [opened.pk]
