"""API shapes every app shares."""

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    429: ErrorOut,
}
