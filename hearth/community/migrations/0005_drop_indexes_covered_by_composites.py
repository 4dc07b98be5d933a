"""Drop single-column indexes that a composite index already covers.

post.topic_id is the first column of post_position_unique, post.author_id of
post_author_created, topic.author_id of topic_author_created, reaction.post_id of reaction_once
and reaction.member_id of reaction_member_post; topic.slug is never searched (topics are found
by id). The indexes are dropped by name rather than through AlterField,
which on SQLite would rebuild the tables and lose the search triggers on them.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

INDEXES = [
    ("community_post", "community_post_topic_id_35a99c08", "topic_id", ""),
    ("community_post", "community_post_author_id_a6c5f564", "author_id", ""),
    ("community_topic", "community_topic_author_id_a14b61bf", "author_id", ""),
    ("community_topic", "community_topic_slug_77aa2059", "slug", ""),
    ("community_topic", "community_topic_slug_77aa2059_like", "slug", "varchar_pattern_ops"),
    ("community_reaction", "community_reaction_post_id_d280acb9", "post_id", ""),
    ("community_reaction", "community_reaction_member_id_64da21b3", "member_id", ""),
]


def drop_indexes(apps, schema_editor):
    for _table, name, _column, _opclass in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_indexes(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, name, column, opclass in INDEXES:
        if opclass and not postgres:
            continue
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ("{column}" {opclass})')


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_questions_tags_routing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="post",
                    name="author",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="posts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="post",
                    name="topic",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="posts",
                        to="community.topic",
                    ),
                ),
                migrations.AlterField(
                    model_name="topic",
                    name="author",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="topics",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="reaction",
                    name="post",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to="community.post",
                    ),
                ),
                migrations.AlterField(
                    model_name="reaction",
                    name="member",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="topic",
                    name="slug",
                    field=models.SlugField(db_index=False, max_length=80),
                ),
            ],
        ),
    ]
