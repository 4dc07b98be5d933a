"""Community migrations keep what lives on their tables beside Django: the search triggers.

On SQLite, Django alters a table by copying it, which drops the triggers on the old one (and
fails outright when another table's trigger names it). `migrate` puts missing triggers back
afterwards (search/apps.py), so these run the migration executor alone, without that net.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hearth.community import services
from hearth.community.models import Post

BEFORE_WIKI = ("community", "0006_post_state")
WIKI = ("community", "0007_post_is_wiki")


def trigger_names() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                "('community_post'::regclass, 'community_topic'::regclass)"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return sorted(row[0] for row in cursor.fetchall())


def post_columns() -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "community_post")
    return {column.name for column in description}


def migrate_to(target) -> None:
    MigrationExecutor(connection).migrate([target])


@pytest.mark.django_db(transaction=True)
def test_adding_is_wiki_keeps_the_search_triggers_and_the_posts(customer, public_space):
    topic = services.create_topic(
        author=customer, space=public_space, title="Written before wikis", body="Old words"
    )
    before = trigger_names()
    assert any(name.startswith("search_") for name in before)
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate_to(BEFORE_WIKI)
        assert "is_wiki" not in post_columns()
        assert trigger_names() == before

        migrate_to(WIKI)

        assert "is_wiki" in post_columns()
        assert trigger_names() == before
        assert Post.objects.get(topic=topic).is_wiki is False
    finally:
        MigrationExecutor(connection).migrate(leaves)


@pytest.mark.django_db(transaction=True)
def test_adding_post_states_keeps_the_search_triggers_and_the_posts(customer, public_space):
    topic = services.create_topic(
        author=customer, space=public_space, title="Written before moderation", body="Old words"
    )
    before = trigger_names()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    # On PostgreSQL the search triggers watch the state columns, so going back past 0006 drops
    # them with the columns, and the search migrations after 0006 put them back going forward.
    # On SQLite nothing puts them back: they must live through 0006 itself.
    sqlite = connection.vendor == "sqlite"
    try:
        migrate_to(("community", "0005_drop_indexes_covered_by_composites"))
        assert "state" not in post_columns()
        if sqlite:
            assert trigger_names() == before

        migrate_to(BEFORE_WIKI)

        assert {"state", "state_reason"} <= post_columns()
        if sqlite:
            assert trigger_names() == before
        post = Post.objects.only("state").get(topic=topic)
        assert post.state == "published"
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert trigger_names() == before
