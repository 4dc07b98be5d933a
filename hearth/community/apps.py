from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "hearth.community"
    label = "community"
    verbose_name = "Community"
