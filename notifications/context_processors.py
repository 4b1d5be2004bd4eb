from functools import partial

from django.conf import settings
from django.http import HttpRequest

from notifications import selectors


def bell(request: HttpRequest) -> dict:
    """The unread count, and the address that emails stopped to, as callables: only pages that
    show them run their queries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": partial(selectors.unread_count, user),
        # For the account's pages (templates/allauth/layouts/manage.html), run only there.
        "stopped_address": partial(selectors.stopped_address, user),
        "BELL_POLL_SECONDS": settings.NOTIFICATIONS_BELL_POLL_SECONDS,
    }
