from django.conf import settings


def notifications(request):
    return {"NOTIFICATION_POLL_SECONDS": settings.HEARTH_NOTIFICATION_POLL_SECONDS}
