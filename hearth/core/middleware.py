"""Request middleware: daily visits, and service errors turned into friendly pages."""

from django.shortcuts import render
from django.utils import timezone

from hearth.core.errors import HearthError
from hearth.core.services import record_visit

SESSION_KEY = "hearth_visit_day"


class VisitDayMiddleware:
    """Records a signed-in member's visit once a day, remembering it in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            today = timezone.localdate().isoformat()
            if request.session.get(SESSION_KEY) != today:
                record_visit(member=user)
                request.session[SESSION_KEY] = today
        return self.get_response(request)


class ServiceErrorMiddleware:
    """A HearthError that escapes a view becomes a page with its message and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, HearthError):
            return None
        template = (
            "core/error_fragment.html" if getattr(request, "htmx", False) else "core/error.html"
        )
        return render(request, template, {"error": exception}, status=exception.status)
