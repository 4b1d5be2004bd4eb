import zoneinfo
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class MemberPreferencesMiddleware:
    """Applies a signed-in member's chosen language and time zone (else the browser's language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        response = self.get_response(request)
        timezone.deactivate()
        return response


class BannedMemberMiddleware:
    """Ends the session of a member banned while signed in: a ban takes effect at once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.user.is_banned:
            logout(request)
        return self.get_response(request)
