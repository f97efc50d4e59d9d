from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_calendar_feed"),
        ("events", "0007_registration_short_code"),
    ]

    operations = []
