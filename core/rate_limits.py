"""Rate limits: how often a member may post, signal, co-sponsor or vote, and what they are told.

The counters live in the cache (django-ratelimit). A cache that cannot be reached lets requests
through rather than refusing everyone: RATELIMIT_FAIL_OPEN for these limits, and the Redis cache
below for allauth's, which would otherwise refuse every sign-in while Redis is down.
"""

import ipaddress
import math
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from django_redis.cache import RedisCache, omit_exception

from core.htmx import is_htmx


def rate_limited(
    action: str,
    *,
    granted: Callable[..., bool] | None = None,
    per_address: bool = False,
    method: str = "POST",
) -> Callable:
    """Refuse a member's POSTs beyond the rate MEMBER_RATE_LIMITS sets for `action`, saying when
    to try again. The views of one action share its count. Goes under @login_required; or,
    `per_address`, counts per client address a view that needs no sign-in; or, for a page
    anyone may read but that costs the server (method="GET"), counts a visitor by address.

    `granted(request, *args, **kwargs)`, called with the view's arguments, names the requests
    the charter grants once whatever the site's limits (a member's one vote in a ballot): those
    go through uncounted."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if (
                granted is not None
                and request.method == "POST"
                and granted(request, *args, **kwargs)
            ):
                return view(request, *args, **kwargs)
            usage = get_usage(
                request,
                group=action,
                key="ip" if per_address else "user_or_ip",
                rate=_rate,
                method=method,
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, retry_after=max(usage["time_left"], 1))
            return view(request, *args, **kwargs)

        return limited

    return decorator


def member_may(action: str, member: AbstractBaseUser) -> bool:
    """Count one `action` by `member` done outside a request (a reply by email), and whether
    it is within MEMBER_RATE_LIMITS: the same counter as @rate_limited's, so a member posting
    both from the site and by email is held to one rate."""
    request = HttpRequest()
    request.method = "POST"
    request.user = member
    usage = get_usage(
        request, group=action, key="user_or_ip", rate=_rate, method="POST", increment=True
    )
    return usage is None or not usage["should_limit"]


def _rate(action: str, request: HttpRequest) -> str | None:
    return settings.MEMBER_RATE_LIMITS.get(action) or None


def client_address(request: HttpRequest) -> str:
    """A visitor's address, for the limits counted by address (RATELIMIT_IP_META_KEY): behind
    TRUSTED_PROXY_COUNT proxies, the one the furthest of them saw, as allauth's limits read it;
    otherwise everyone would share the proxy's address."""
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")
    count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if count and len(forwarded) >= count:
        try:
            return str(ipaddress.ip_address(forwarded[-count].strip()))
        except ValueError:
            pass  # not an address: a proxy told of wrongly
    return request.META["REMOTE_ADDR"]


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """The 429 page; for htmx, a fragment to show in place of the panel that asked."""
    context = {"try_again": try_again_in(retry_after)}
    if is_htmx(request):
        # htmx swaps in only successful responses: this one must be one to be seen.
        response = render(request, "_too_many_requests.html", context)
    else:
        response = render(request, "429.html", context, status=HTTPStatus.TOO_MANY_REQUESTS)
    response["Retry-After"] = str(retry_after)
    return response


def try_again_in(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "Try again in %(seconds)s second.", "Try again in %(seconds)s seconds.", seconds
        ) % {"seconds": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Try again in %(minutes)s minute.", "Try again in %(minutes)s minutes.", minutes
    ) % {"minutes": minutes}


class FailOpenRedisCache(RedisCache):
    """Redis, where `add` reports success when Redis cannot be reached.

    Rate limits are the cache's only users of `add`: allauth takes a lock with it before reading
    its counter, and without Redis that lock would never come, so every sign-in, sign-up and
    password reset would be refused. Told the lock is taken, allauth reads no history and lets
    the request through, as django-ratelimit does (RATELIMIT_FAIL_OPEN).
    """

    @omit_exception(return_value=True)
    def add(self, *args, **kwargs) -> bool:
        return self.client.add(*args, **kwargs)
