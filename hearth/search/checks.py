"""`hearth check`: say so when a semantic model is configured but cannot be used."""

from django.core.checks import Warning, register

from hearth.search import semantic


@register()
def semantic_model_check(app_configs, **kwargs) -> list[Warning]:
    if not semantic.is_enabled():
        return []
    reason = semantic.unavailable_reason()
    if reason is None:
        return []
    return [
        Warning(
            reason,
            hint="Similar questions are ranked by words only until this is fixed.",
            id="hearth.search.W001",
        )
    ]
