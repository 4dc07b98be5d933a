"""Similar questions: the question index on PostgreSQL (one row a live question; SQLite reads
its post index instead), the questions' vectors for the semantic ranker, and the suggestions
members opened from the composer.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install_questions(apps, schema_editor):
    from hearth.search.backends import backend_for

    backend_for(schema_editor.connection).install_questions()


def uninstall_questions(apps, schema_editor):
    from hearth.search.backends import backend_for

    backend_for(schema_editor.connection).uninstall_questions()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_drop_indexes_covered_by_composites"),
        ("search", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QuestionEmbedding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model", models.CharField(max_length=200)),
                ("dimensions", models.PositiveSmallIntegerField()),
                ("vector", models.BinaryField()),
                ("source_hash", models.CharField(max_length=64)),
                ("updated_at", models.DateTimeField()),
                ("topic", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="embedding", to="community.topic")),
            ],
            options={
                "indexes": [models.Index(fields=["model", "updated_at"], name="question_embedding_model")],
            },
        ),
        migrations.CreateModel(
            name="SuggestionOpening",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("draft", models.CharField(max_length=64)),
                ("opened_at", models.DateTimeField()),
                ("outcome", models.CharField(choices=[("pending", "Waiting to see whether they post"), ("posted", "Posted their question anyway"), ("deflected", "Left without posting")], default="pending", max_length=16)),
                ("settled_at", models.DateTimeField(blank=True, null=True)),
                ("member", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("topic", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="community.topic")),
            ],
            options={
                "indexes": [models.Index(condition=models.Q(("outcome", "pending")), fields=["opened_at"], name="suggestion_opening_pending")],
                "constraints": [models.UniqueConstraint(fields=("member", "draft", "topic"), name="suggestion_opened_once")],
            },
        ),
        migrations.RunPython(install_questions, uninstall_questions),
    ]
