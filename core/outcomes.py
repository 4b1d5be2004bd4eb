"""What became of a member's request to change something: done, or refused and why, told in a
message on the page they are sent back to."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest


def attempt(
    request: HttpRequest,
    operation: Callable[[], object],
    *,
    refusal: type[Exception],
    done: str = "",
) -> bool:
    """Whether `operation` was done. When it raises `refusal` (the app's own kind, whose reason
    is for the member: any other refusal still answers 403), the member is told that reason;
    otherwise `done`, if there is something to say."""
    try:
        operation()
    except refusal as refused:
        messages.error(request, str(refused))
        return False
    if done:
        messages.success(request, done)
    return True
