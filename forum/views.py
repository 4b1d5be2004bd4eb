from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import is_htmx
from core.rate_limits import rate_limited
from forum import extensions, page_cache, rules, selectors, services, upload_views
from forum.forms import AttachmentForm, PostForm, SearchForm, ThreadForm, WatchForm
from forum.models import Category, Post, Thread, WatchLevel
from forum.rendering import render_markdown
from forum.stop_links import read_stop_watching_token
from members.models import Member
from members.rules import require


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _watch_form(level: str | None) -> WatchForm:
    return WatchForm(initial={"level": level or WatchLevel.NORMAL})


def _preview_html(form: PostForm | ThreadForm) -> str:
    """What the post will look like once saved, mentions included."""
    return services.render_post_source(form.cleaned_data["source"]).html


def _render_page(
    request: HttpRequest,
    template: str,
    page_context: dict,
    content_template: str,
    content_context: Callable[[], dict],
    visitor_key: tuple,
    reader_key: tuple = (),
) -> HttpResponse:
    """Render `template`, whose main content is `content_template`, taken from the cache
    (forum.page_cache) so that `content_context` (the page's queries) runs only when it was
    not there: for a visitor under `visitor_key`; for a member under it, their own row and
    `reader_key` (what the page shows of their reading besides their row)."""

    def render_content() -> str:
        return render_to_string(content_template, content_context(), request)

    if request.user.is_authenticated:
        content = page_cache.member_content(request, (*visitor_key, *reader_key), render_content)
    else:
        content = page_cache.shared_content("visitor", visitor_key, render_content)
    return render(request, template, page_context | {"content": content})


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    categories = selectors.categories_for_index(request.user)
    return _render_page(
        request,
        "forum/index.html",
        {},
        "forum/_index.html",
        lambda: {
            "categories": categories,
            "recent_threads": selectors.recent_threads(request.user, besides=categories),
        },
        visitor_key=(
            "index",
            [page_cache.row(category) for category in categories],
            page_cache.this_minute(),
        ),
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_by_slug(slug, request.user)
    page = selectors.category_page(category, _page_number(request))

    def content() -> dict:
        watch_level = selectors.category_watch_level(category, request.user)
        return {
            "category": category,
            "threads": selectors.category_threads(category, request.user, page),
            "page": page,
            "can_start_thread": rules.can_start_thread(request.user, category),
            "cannot_start_thread": rules.why_cannot_start_thread(request.user, category),
            "watch_form": _watch_form(watch_level) if request.user.is_authenticated else None,
            "notices": extensions.category_notices(category, request.user, watch_level),
        }

    return _render_page(
        request,
        "forum/category.html",
        {"category": category},
        "forum/_category.html",
        content,
        visitor_key=(
            "category",
            page_cache.row(category),
            page.number,
            page_cache.this_minute(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("posting")
def new_thread(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_by_slug(slug, request.user)
    require(rules.can_start_thread(request.user, category))
    form = ThreadForm(request.POST or None)
    attachment, preview, status = AttachmentForm(), None, 200
    if upload_views.attaching(request):
        form, attachment = upload_views.attach(request, form)
    elif request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview_html(form)
        else:
            try:
                thread = services.create_thread(
                    author=request.user,
                    category=category,
                    title=form.cleaned_data["title"],
                    source=form.cleaned_data["source"],
                )
            except rules.PostingRefused as refusal:
                form.add_error(None, str(refusal))
                status = 403
            else:
                return redirect(thread)
    return render(
        request,
        "forum/new_thread.html",
        {"category": category, "form": form, "attachment": attachment, "preview": preview},
        status=status,
    )


@require_GET
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_for_reader(pk, request.user)
    page = selectors.thread_page(thread, _page_number(request))

    def thread_content() -> dict:
        posts = selectors.thread_posts(thread, request.user, page)
        for post in posts:
            post.can_edit = rules.can_edit_post(request.user, post)
            post.can_delete = rules.can_delete_post(request.user, post)
            post.can_thank = rules.can_thank(request.user, post)
        post_extensions = extensions.extend_posts(posts, request.user)
        if request.user.is_authenticated:
            services.mark_read(
                member=request.user, thread=thread, posts=posts, previous=thread.last_read_number
            )
        cannot_reply = rules.why_cannot_reply(request.user, thread)
        can_reply = cannot_reply is None
        first_unread = (thread.last_read_number or 0) + 1 if request.user.is_authenticated else None
        page_cache.render_posts(
            posts,
            post_extensions,
            {"user": request.user, "can_reply": can_reply, "first_unread": first_unread},
        )
        return {
            "thread": thread,
            "category": thread.category,
            "posts": posts,
            "page": page,
            "can_reply": can_reply,
            "cannot_reply": cannot_reply,
            "reply_form": PostForm() if can_reply else None,
            "watch_form": _watch_form(thread.watch_level)
            if request.user.is_authenticated
            else None,
        }

    return _render_page(
        request,
        "forum/thread.html",
        {"thread": thread},
        "forum/_thread.html",
        thread_content,
        visitor_key=(
            "thread",
            page_cache.row(thread),
            page_cache.row(thread.category),
            page.number,
        ),
        reader_key=(
            getattr(thread, "last_read_number", None),
            getattr(thread, "watch_level", None),
        ),
    )


def _post_url(post: Post) -> str:
    page = selectors.page_for_number(post.number)
    url = reverse("forum:thread", kwargs={"pk": post.thread_id})
    return f"{url}?page={page}#post-{post.number}" if page > 1 else f"{url}#post-{post.number}"


@require_GET
def first_unread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_for_reader(pk, request.user)
    last_read = getattr(thread, "last_read_number", None) or 0
    number = min(last_read + 1, max(thread.post_count, 1))
    page = selectors.page_for_number(number)
    suffix = f"?page={page}" if page > 1 else ""
    return redirect(f"{reverse('forum:thread', kwargs={'pk': pk})}{suffix}#post-{number}")


@require_GET
def post(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(_post_url(selectors.post_for_reader(pk, request.user)))


def quote_block(post: Post) -> str:
    author = post.author.username if post.author else "?"
    quoted = "\n".join(f"> {line}".rstrip() for line in post.source.splitlines())
    return f"> **{author}** [wrote](/p/{post.pk}/):\n{quoted}\n\n"


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("posting")
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_for_reader(pk, request.user)
    require(rules.can_reply(request.user, thread))
    attachment, preview, status = AttachmentForm(), None, 200
    if upload_views.attaching(request):
        form, attachment = upload_views.attach(request, PostForm(request.POST))
    elif request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                preview = _preview_html(form)
            else:
                try:
                    new_post = services.reply(
                        author=request.user, thread=thread, source=form.cleaned_data["source"]
                    )
                except rules.PostingRefused as refusal:
                    form.add_error(None, str(refusal))
                    status = 403
                else:
                    return redirect(_post_url(new_post))
    else:
        initial = ""
        if quoted_pk := request.GET.get("quote", "").strip():
            quoted = _quotable_post(request, quoted_pk, thread)
            initial = quote_block(quoted) if quoted else ""
        form = PostForm(initial={"source": initial})
    return render(
        request,
        "forum/reply.html",
        {"thread": thread, "form": form, "attachment": attachment, "preview": preview},
        status=status,
    )


def _quotable_post(request: HttpRequest, pk: str, thread: Thread) -> Post | None:
    try:
        number = int(pk)
    except ValueError:  # "²" is a digit to str.isdigit(), and 5,000 digits are too many
        return None
    post = Post.objects.select_related("author").filter(pk=number, thread=thread).first()
    return post if post and post.is_visible else None


@login_required
@require_POST
def quote(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: returns the reply textarea with the quoted post appended to what was typed."""
    quoted = selectors.post_for_reader(pk, request.user)
    require(rules.can_reply(request.user, quoted.thread) and quoted.is_visible)
    typed = request.POST.get("source", "")[: settings.POST_MAX_LENGTH]
    separator = "\n\n" if typed.strip() else ""
    form = PostForm(initial={"source": typed.rstrip() + separator + quote_block(quoted)})
    return render(request, "forum/_source_field.html", {"field": form["source"]})


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    response = _rendered_preview(request)
    if "Retry-After" in response:
        # Refused: the message goes inside the preview panel, which the next preview replaces.
        response["HX-Reswap"] = "innerHTML"
    return response


@rate_limited("previewing")
def _rendered_preview(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST)
    return render(
        request,
        "forum/_preview.html",
        {"preview": _preview_html(form) if form.is_valid() else None, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("posting")
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_reader(pk, request.user)
    require(rules.can_edit_post(request.user, post))
    form = PostForm(request.POST or None, initial={"source": post.source})
    attachment, preview = AttachmentForm(), None
    if upload_views.attaching(request):
        form, attachment = upload_views.attach(request, form)
    elif request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = _preview_html(form)
        else:
            services.edit_post(editor=request.user, post=post, source=form.cleaned_data["source"])
            return redirect(_post_url(post))
    return render(
        request,
        "forum/edit_post.html",
        {"post": post, "form": form, "attachment": attachment, "preview": preview},
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_reader(pk, request.user)
    require(rules.can_delete_post(request.user, post))
    if request.method == "POST":
        services.delete_post(member=request.user, post=post)
        return redirect(_post_url(post))
    return render(request, "forum/delete_post.html", {"post": post})


@require_GET
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_reader(pk, request.user)
    if not post.is_visible:
        revisions = []
    else:
        revisions = selectors.post_revisions(post)
        for revision in revisions:
            revision.html = render_markdown(revision.previous_source).html
    return render(request, "forum/post_history.html", {"post": post, "revisions": revisions})


@login_required
@require_POST
def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_reader(pk, request.user)
    if request.POST.get("action") == "withdraw":
        services.withdraw_thanks(member=request.user, post=post)
    else:
        services.thank(member=request.user, post=post)
    if not is_htmx(request):
        return redirect(_post_url(post))
    post.refresh_from_db(fields=["thanks_count"])
    post.thanked_by_me = post.thanks.filter(member=request.user).exists()
    post.can_thank = True
    return render(request, "forum/_thanks.html", {"post": post})


def _watch(
    request: HttpRequest, watch: Callable[..., None], target: Thread | Category
) -> HttpResponse:
    """Set the reader's watch level of `target` (a thread or a category) to the one chosen."""
    form = WatchForm(request.POST)
    if form.is_valid():
        watch(member=request.user, level=WatchLevel(form.cleaned_data["level"]))
    return redirect(target)


@login_required
@require_POST
def watch_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_for_reader(pk, request.user)
    return _watch(request, partial(services.watch_thread, thread=thread), thread)


# The "stop watching" link of reply emails. Mail clients send the one-click POST of RFC 8058
# without cookies: the signed link itself is the proof, so CSRF protection cannot apply (and a
# forged POST could only make its member stop watching one thread).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop_watching(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member, thread = read_stop_watching_token(token)
    except (signing.BadSignature, Member.DoesNotExist, Thread.DoesNotExist, ValueError, TypeError):
        return render(request, "forum/stop_watching.html", {"invalid": True}, status=404)
    done = request.method == "POST"
    if done:
        services.stop_watching(member=member, thread=thread)
    return render(
        request, "forum/stop_watching.html", {"member": member, "thread": thread, "done": done}
    )


@login_required
@require_POST
def watch_category(request: HttpRequest, slug: str) -> HttpResponse:
    category = selectors.category_by_slug(slug, request.user)
    return _watch(request, partial(services.watch_category, category=category), category)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        query, page = form.cleaned_data["q"], _page_number(request)
        # What the reader may read, as it is now: a change in any of it changes the key.
        categories = list(selectors.search_scope(request.user))

        def render_results() -> str:
            hits, has_next = selectors.search_posts(query, request.user, page)
            return render_to_string(
                "forum/_search_results.html",
                {"query": query, "hits": hits, "has_next": has_next, "page": page},
            )

        results = page_cache.shared_content(
            "search",
            (query, page, [page_cache.row(category) for category in categories]),
            render_results,
        )
    return render(request, "forum/search.html", {"form": form, "results": results})


@require_GET
def member(request: HttpRequest, username: str) -> HttpResponse:
    member = selectors.member_by_username(username)
    return render(
        request,
        "forum/member.html",
        {
            "profile": member,
            "activity": selectors.member_activity(member),
            "recent_posts": selectors.member_recent_posts(member, request.user),
        },
    )
