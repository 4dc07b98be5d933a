from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from hearth.api.api import api
from hearth.api.errors import not_found_view
from hearth.core.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found_view),
    path("health/", health, name="health"),
    path("", include("hearth.accounts.urls")),
    path("", include("hearth.notifications.urls")),
    path("", include("hearth.search.urls")),
    path("", include("hearth.ideas.urls")),
    path("", include("hearth.moderation.urls")),
    path("", include("hearth.community.urls")),
]

if settings.HEARTH_SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
