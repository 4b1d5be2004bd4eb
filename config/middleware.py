"""What the site answers to requests it cannot serve: a 503 page while its database cannot be
reached, a 400 to a NUL character; never a traceback."""

import logging
import sys
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# A restart of PostgreSQL takes seconds; crawlers and proxies that honour the header come back
# once it is surely over, while a reader who reloads sooner is served as soon as it is.
RETRY_AFTER_SECONDS = 30

# OperationalError: no connection could be made, or the server went away mid-query;
# InterfaceError: the connection the process held is already closed.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def refuse_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """400 Bad Request to a path or a query holding a NUL character, before any view: no page
    of the site has one in its address, and PostgreSQL refuses it in every text it is given,
    so that a view looking such a value up (`/m/%00/`) would fail with a 500."""

    def middleware(request: HttpRequest) -> HttpResponse:
        query = "".join(key + "".join(values) for key, values in request.GET.lists())
        if "\x00" in request.path or "\x00" in query:
            raise BadRequest("NUL character in the path or the query")
        return get_response(request)

    return middleware


class DatabaseUnavailableMiddleware:
    """Answers 503 Service Unavailable, with Retry-After, to a request that failed because
    the database could not be reached, and logs the error.

    Django turns an exception into a 500 response at the layer where it is raised, so no
    outer middleware ever sees it: a view's reaches `process_exception` below, and one raised
    by an inner middleware (the session loaded to find `request.user`, or saved after the
    view) is noted on the request by the `got_request_exception` receiver, and its 500
    replaced here. This middleware therefore sits outside the session, authentication and
    message middlewares, and inside the security and CSP ones, whose headers the page keeps.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, "database_unavailable", None)
        if error is not None and response.status_code == 500:
            return database_unavailable_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable_response(request, exception)
        return None


@receiver(got_request_exception, dispatch_uid="config.middleware.note_database_unavailable")
def note_database_unavailable(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """Sent by Django while it handles the exception, which is therefore still current."""
    error = sys.exception()
    if request is not None and isinstance(error, DATABASE_UNAVAILABLE):
        request.database_unavailable = error


def database_unavailable_response(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.error(
        "Database unavailable, answered 503: %s %s",
        request.method,
        request.path,
        exc_info=(type(error), error, error.__traceback__),
    )
    # Rendered without the request: no context processor may query the database, read the
    # session or ask who the user is.
    page = render_to_string("503.html", {"LANGUAGE_CODE": translation.get_language()})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
