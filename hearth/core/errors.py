"""Errors that users see: each has a stable code and a human message.

Services raise these; views show the message, the API returns {"code", "message"} with
the status given here.
"""


class HearthError(Exception):
    code = "error"
    status = 400
    default_message = "Something is not right with that request."

    def __init__(self, message: str | None = None, *, code: str | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(self.message)


class ValidationFailed(HearthError):
    code = "invalid"
    status = 400
    default_message = "Please check what you entered."

    def __init__(self, message=None, *, code=None, field: str | None = None):
        super().__init__(message, code=code)
        self.field = field


class NotAllowed(HearthError):
    code = "forbidden"
    status = 403
    default_message = "You may not do that here."


class NotFound(HearthError):
    code = "not_found"
    status = 404
    default_message = "Nothing here, or nothing you may see."


class Conflict(HearthError):
    code = "conflict"
    status = 409
    default_message = "That clashes with the current state."


class RateLimited(HearthError):
    """Too much too fast: pages show the message, the API answers 429 with Retry-After."""

    code = "rate_limited"
    status = 429
    default_message = "Too many requests; slow down."

    def __init__(self, message: str | None = None, *, code: str | None = None, retry_after=1):
        self.retry_after = max(1, int(retry_after))
        super().__init__(message or f"Try again in {self.retry_after} seconds.", code=code)
