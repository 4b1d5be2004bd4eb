from functools import partial

from django.conf import settings
from django.http import HttpRequest

from notifications import selectors


def bell(request: HttpRequest) -> dict:
    """The unread count, as a callable: only pages that show the bell run its query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": partial(selectors.unread_count, user),
        "BELL_POLL_SECONDS": settings.NOTIFICATIONS_BELL_POLL_SECONDS,
    }
