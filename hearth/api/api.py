"""The Hearth API, version 1: each app's router under /api/v1/, OpenAPI docs at /api/v1/docs."""

from django.conf import settings
from ninja import NinjaAPI

from hearth.accounts.api import router as accounts_router
from hearth.api import errors
from hearth.api.throttles import MemberRateThrottle, VisitorRateThrottle
from hearth.community.api import router as community_router
from hearth.ideas.api import router as ideas_router
from hearth.moderation.api import router as moderation_router
from hearth.notifications.api import router as notifications_router
from hearth.search.api import router as search_router

api = NinjaAPI(
    title="Hearth API",
    version="1",
    description=(
        "Read and write the community as a member would. Authenticate with a personal API "
        "token (`Authorization: Bearer hth_...`, created under Settings → API tokens) or the "
        'browser session. Errors are always `{"code": ..., "message": ...}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    throttle=[
        VisitorRateThrottle(settings.HEARTH_API_RATE_ANONYMOUS),
        MemberRateThrottle(settings.HEARTH_API_RATE_MEMBER),
    ],
)
errors.install(api)
api.add_router("/", community_router)
api.add_router("/", accounts_router)
api.add_router("/", notifications_router)
api.add_router("/", search_router)
api.add_router("/", ideas_router)
api.add_router("/", moderation_router)
