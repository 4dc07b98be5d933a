from django.db import migrations, models

E_MAIL_CHANNELS = ("email", "digest")
EARLIER_SETTINGS = ("reply", "quote", "mention", "reaction", "new_topic", "topic_activity")


def keep_no_email_choices(apps, schema_editor):
    """Idea updates are e-mailed by default, but not to a member who had turned every e-mail
    off (what "unsubscribe from all" does): they get them in the notification centre."""
    Preferences = apps.get_model("notifications", "Preferences")
    wants_email = models.Q()
    for name in EARLIER_SETTINGS:
        wants_email |= models.Q(**{f"{name}__in": E_MAIL_CHANNELS})
    Preferences.objects.exclude(wants_email).update(idea_updates="in_app")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_actor_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="preferences",
            name="idea_updates",
            field=models.CharField(
                choices=[
                    ("in_app", "In the notification centre"),
                    ("email", "Right away by e-mail (and in the centre)"),
                    ("digest", "In my e-mail digest (and in the centre)"),
                    ("off", "Not at all"),
                ],
                default="email",
                max_length=16,
            ),
        ),
        migrations.RunPython(keep_no_email_choices, migrations.RunPython.noop, elidable=True),
    ]
