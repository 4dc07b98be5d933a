"""Reads over what importers brought in."""

from hearth.integrations.models import ImportedLink


def duplicate_pairs(*, source: str | None = None) -> list[tuple[int, int]]:
    """(duplicate topic id, original topic id) for every imported duplicate link."""
    links = ImportedLink.objects.filter(kind=ImportedLink.Kind.DUPLICATE)
    if source is not None:
        links = links.filter(source=source)
    return list(links.order_by("topic_id", "target_id").values_list("topic_id", "target_id"))
