"""The PostgreSQL post index keeps published posts of published topics only: its triggers
follow the post's and the topic's state, so a search need not look up each match's post and
topic. SQLite's search joins the posts in its query and keeps its index as it is."""

from django.db import migrations


def refresh_index(apps, schema_editor):
    from hearth.search.backends import backend_for

    backend = backend_for(schema_editor.connection)
    if backend.is_installed():
        backend.refresh()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_question_index_published_only"),
    ]

    operations = [
        # Going back leaves the newer functions in place: they index a subset of what the
        # older ones did, and the older search query checks each match's state anyway.
        migrations.RunPython(refresh_index, migrations.RunPython.noop),
    ]
