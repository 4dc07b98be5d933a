"""The PostgreSQL question index keeps published questions only: its triggers follow the
topic's and the opening post's state, so similar questions need no look-up of each candidate
topic. Nothing to do on SQLite, whose similar questions read the post index."""

from django.db import migrations


def refresh_questions(apps, schema_editor):
    from hearth.search.backends import backend_for

    backend_for(schema_editor.connection).refresh_questions()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_post_state"),
        ("search", "0002_similar_questions"),
    ]

    operations = [
        # Going back leaves the newer functions in place: they index a subset of what the
        # older ones did, and the older similar-question query checks each candidate anyway.
        migrations.RunPython(refresh_questions, migrations.RunPython.noop),
    ]
