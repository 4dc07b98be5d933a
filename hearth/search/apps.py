from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "hearth.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from hearth.search import checks  # noqa: F401  (registers the system checks)
        from hearth.search.services import restore_index_triggers

        # On SQLite, a later migration that rebuilds community_post or community_topic (how
        # Django alters tables there) drops their triggers with the old table; put them back.
        post_migrate.connect(restore_index_triggers, sender=self, dispatch_uid="search-triggers")
