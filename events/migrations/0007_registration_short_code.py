"""A short ticket code for every registration: added empty, filled for the rows there are, then
made unique and required. ``ticket_code`` (the UUID) stays, as calendar UIDs are built from it.
"""

from django.db import migrations, models

import events.models


def fill_short_codes(apps, schema_editor):
    Registration = apps.get_model("events", "Registration")
    # The column is empty until now, so the codes given here are the only ones to avoid.
    used = set()
    batch = []
    for registration in Registration.objects.only("pk").order_by("pk").iterator(chunk_size=500):
        code = events.models.new_ticket_short_code()
        while code in used:
            code = events.models.new_ticket_short_code()
        used.add(code)
        registration.short_code = code
        batch.append(registration)
        if len(batch) == 500:
            Registration.objects.bulk_update(batch, ["short_code"])
            batch = []
    Registration.objects.bulk_update(batch, ["short_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_one_registration_per_person_per_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="short_code",
            field=models.CharField(
                editable=False, max_length=9, null=True, verbose_name="ticket code"
            ),
        ),
        migrations.RunPython(fill_short_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="registration",
            name="short_code",
            field=models.CharField(
                default=events.models.new_ticket_short_code,
                editable=False,
                max_length=9,
                unique=True,
                verbose_name="ticket code",
            ),
        ),
    ]
