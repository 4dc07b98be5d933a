"""Migration operations of our own.

On SQLite, Django adds a NOT NULL column (or any column with a default) by copying the whole
table into a new one and renaming it. community_post and community_topic carry the search
index's triggers, which refer to each other: the rename fails ("error in trigger ...: no such
table"), and a copy of every post would be slow on a large community anyway. SQLite can add a
column with a constant default in place, so `AddColumnInPlace` does that there; every other
database gets Django's own AddField.
"""

from django.db import migrations


class AddColumnInPlace(migrations.AddField):
    """AddField, but `ALTER TABLE ... ADD COLUMN ... DEFAULT <constant>` on SQLite."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        default = schema_editor.effective_default(field)
        if default is None:
            raise ValueError(f"{self.model_name}.{self.name} needs a constant default")
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{field.db_type(schema_editor.connection)} NOT NULL "
            f"DEFAULT {schema_editor.quote_value(default)}"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} DROP COLUMN {quote(field.column)}"
        )
