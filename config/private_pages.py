"""Pages served to a signed-in member are theirs alone: no cache on the way may keep them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PrivatePagesMiddleware:
    """Marks every answer to a signed-in member `Cache-Control: private, no-store`.

    Any page of theirs may show what is only theirs (notifications, settings, what they may
    do with a post), so a shared proxy must not keep it for the next reader, nor the browser
    write it to disk, where it outlives the sign-out. A view that sets its own Cache-Control
    keeps it. Visitors' pages are left as they are: they hold nothing of anyone's, and the
    forum's cache of them (forum.page_cache) is the server's own, not a header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Asked after the view, which may have signed the member in or out.
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
