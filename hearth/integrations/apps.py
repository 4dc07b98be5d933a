from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "hearth.integrations"
    label = "integrations"
    verbose_name = "Integrations"
