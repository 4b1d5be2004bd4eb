"""Where a form sends the member back to: the `next` it carries, when that is a page here."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's `next` (posted, else in the query) if it is a path on this site, else
    `default`.

    A path, not just any URL of this host: a bare word ("hello") is a relative URL, which
    Django's redirect() would take for a URL pattern's name and fail on.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    local = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if local else default
