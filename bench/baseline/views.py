from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forum.models import Post

PER_PAGE = 20


def posts(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of a thread's posts, found by number range on the (thread, number) index."""
    first = (int(request.GET.get("page", 1)) - 1) * PER_PAGE + 1
    rows = Post.objects.filter(
        thread_id=pk, number__gte=first, number__lt=first + PER_PAGE
    ).select_related("author")
    return render(request, "posts.html", {"posts": rows, "reader": request.user})
