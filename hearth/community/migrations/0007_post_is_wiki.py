"""Wiki posts: Post.is_wiki, added in place on SQLite (hearth.core.migration_operations)."""

from django.db import migrations, models

from hearth.core.migration_operations import AddColumnInPlace


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_post_state"),
    ]

    operations = [
        AddColumnInPlace(
            model_name="post",
            name="is_wiki",
            field=models.BooleanField(default=False),
        ),
    ]
