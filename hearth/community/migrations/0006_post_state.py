"""Post and topic states for moderation; columns added in place on SQLite
(hearth.core.migration_operations), where the search triggers forbid rebuilding the tables."""

from django.conf import settings
from django.db import migrations, models

from hearth.core.migration_operations import AddColumnInPlace


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0005_drop_indexes_covered_by_composites'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddColumnInPlace(
            model_name='post',
            name='state',
            field=models.CharField(choices=[('published', 'Published'), ('held', 'Held for review'), ('hidden', 'Hidden by moderators')], default='published', max_length=16),
        ),
        AddColumnInPlace(
            model_name='post',
            name='state_reason',
            field=models.CharField(blank=True, max_length=500),
        ),
        AddColumnInPlace(
            model_name='topic',
            name='state',
            field=models.CharField(choices=[('published', 'Published'), ('held', 'Held for review'), ('hidden', 'Hidden by moderators')], default='published', max_length=16),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('state', 'published'), _negated=True), fields=['state', 'created_at'], name='post_not_published'),
        ),
    ]
