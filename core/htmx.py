from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx made the request, so a view answers with a fragment, not a page."""
    return request.headers.get("HX-Request") == "true"
