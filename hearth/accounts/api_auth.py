"""Who is calling: a personal API token, the browser session, or nobody (public reads)."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from hearth.accounts.services import authenticate_api_token
from hearth.core.errors import NotAllowed


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hth_...`; the token's scope limits what the call may change."""

    def authenticate(self, request: HttpRequest, token: str):
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        if api_token.member.is_suspended:
            raise NotAllowed(
                "This account is suspended: its API tokens do not work until it ends.",
                code="account_suspended",
            )
        request.api_token = api_token
        request.user = api_token.member
        return api_token.member


class BrowserSession(SessionAuth):
    """The web session (changes need the CSRF token); calls without the cookie skip it."""

    def _get_key(self, request: HttpRequest):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


class Anonymous:
    """Lets a call without credentials through as a visitor; a wrong token is still a 401."""

    def __call__(self, request: HttpRequest):
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        return AnonymousUser()


token_auth = TokenAuth()
session_auth = BrowserSession()
MEMBER = [token_auth, session_auth]
ANYONE = [token_auth, session_auth, Anonymous()]


def require_write(request: HttpRequest) -> None:
    """Refuse a change made with a read-only token."""
    api_token = getattr(request, "api_token", None)
    if api_token is not None and not api_token.can_write:
        raise NotAllowed("This token may only read; create a write token.", code="token_read_only")
