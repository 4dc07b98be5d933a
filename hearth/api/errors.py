"""Every API error has one shape: {"code": "...", "message": "..."} and a fitting status."""

import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from hearth.core.errors import HearthError, RateLimited

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra
):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def _describe(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is not valid."


def install(api: NinjaAPI) -> None:
    @api.exception_handler(HearthError)
    def hearth_error(request, exc: HearthError):
        extra = {"field": exc.field} if getattr(exc, "field", None) else {}
        response = error_response(api, request, exc.status, exc.code, exc.message, **extra)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return error_response(api, request, 400, "invalid", _describe(errors), errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            api, request, 401, "unauthenticated", "Log in or send a valid API token."
        )

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        wait = max(1, math.ceil(exc.wait)) if exc.wait is not None else 1
        # django-ninja sets the Retry-After header itself from the same wait.
        return error_response(api, request, 429, "rate_limited", f"Try again in {wait} seconds.")

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return error_response(api, request, 413, "too_large", "The request body is too large.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(
            api, request, 404, "not_found", "Nothing here, or nothing you may see."
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(api, request, 403, "forbidden", "You may not do that.")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code
        return error_response(api, request, status, _CODES.get(status, "error"), str(exc))


def not_found_view(request, *args, **kwargs):
    """Addresses under /api/ that no endpoint answers: a 404 in the API's shape."""
    return JsonResponse(
        {"code": "not_found", "message": "There is no such API endpoint."}, status=404
    )


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method with plain text; give it the API's error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and "json" not in response.get("Content-Type", "")
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {"code": "method_not_allowed", "message": f"Use one of: {allowed}."}, status=405
            )
            if allowed:
                response["Allow"] = allowed
        return response
