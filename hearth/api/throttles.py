"""API rate limits: visitors by network address, members (token or session) by member."""

from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, AuthRateThrottle


def _member(request: HttpRequest):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else None


class VisitorRateThrottle(AnonRateThrottle):
    scope = "visitor"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if _member(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class MemberRateThrottle(AuthRateThrottle):
    scope = "member"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        member = _member(request)
        if member is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": member.pk}
