from pathlib import Path

from django.db import migrations


def publish_default(apps, schema_editor):
    """Every community starts with a code of conduct that members accept at sign-up."""
    from hearth.core.markdown import render_markdown

    CodeOfConduct = apps.get_model("accounts", "CodeOfConduct")
    if CodeOfConduct.objects.exists():
        return
    body = (Path(__file__).resolve().parent.parent / "default_conduct.md").read_text()
    CodeOfConduct.objects.create(
        version=1, title="Code of conduct", body=body, body_html=render_markdown(body).html
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(publish_default, migrations.RunPython.noop)]
