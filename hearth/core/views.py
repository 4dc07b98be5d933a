from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """For load balancers: the process answers. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")
