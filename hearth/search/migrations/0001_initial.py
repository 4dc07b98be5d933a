"""The search index (an FTS5 table on SQLite, a tsvector table on PostgreSQL), the triggers
that keep it in step with the posts, and the bookkeeping of `hearth reindex` runs.

The index is filled here from the posts that already exist.
"""

from django.db import migrations, models


def install_index(apps, schema_editor):
    from hearth.search.backends import backend_for

    backend_for(schema_editor.connection).install()


def uninstall_index(apps, schema_editor):
    from hearth.search.backends import backend_for

    backend_for(schema_editor.connection).uninstall()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("community", "0004_questions_tags_routing"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexRebuild",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("vendor", models.CharField(max_length=20)),
                ("batch_size", models.PositiveIntegerField()),
                ("first_post_id", models.BigIntegerField()),
                ("last_post_id", models.BigIntegerField()),
                ("next_post_id", models.BigIntegerField()),
                ("total_posts", models.PositiveBigIntegerField()),
                ("done_posts", models.PositiveBigIntegerField(default=0)),
            ],
            options={"ordering": ["-started_at", "-id"]},
        ),
        migrations.RunPython(install_index, uninstall_index),
    ]
