from django.db import migrations

# slug, name, description, colour, meaning, on the roadmap, the default
STATUSES = [
    ("new", "New", "Just suggested; the team has not looked at it yet.", "slate", "open", False, True),
    ("under-review", "Under review", "The team is looking into it.", "blue", "open", True, False),
    ("planned", "Planned", "On the plan: it will be built.", "purple", "open", True, False),
    ("in-progress", "In progress", "Being built right now.", "amber", "open", True, False),
    ("shipped", "Shipped", "Done and available.", "green", "shipped", True, False),
    ("declined", "Declined", "Not something we will do, for the reason given.", "pink", "declined", False, False),
]


def seed_statuses(apps, schema_editor):
    """Every community starts with the usual steps; staff rename, recolour or add to them."""
    IdeaStatus = apps.get_model("ideas", "IdeaStatus")
    if IdeaStatus.objects.exists():
        return
    IdeaStatus.objects.bulk_create(
        IdeaStatus(
            slug=slug,
            name=name,
            description=description,
            colour=colour,
            meaning=meaning,
            on_roadmap=on_roadmap,
            is_default=is_default,
            position=(number + 1) * 10,
        )
        for number, (slug, name, description, colour, meaning, on_roadmap, is_default) in enumerate(
            STATUSES
        )
    )


class Migration(migrations.Migration):
    dependencies = [("ideas", "0001_initial")]

    operations = [migrations.RunPython(seed_statuses, migrations.RunPython.noop)]
