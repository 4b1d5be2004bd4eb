import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    read_restricted = models.BooleanField(_("moderators only can read"), default=False)
    write_restricted = models.BooleanField(
        _("moderators only can post"),
        default=False,
        help_text=_("Members may read but not start threads or reply (e.g. announcements)."),
    )
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Changes, in the same transaction, with anything readers see of the category's threads
    # (lists, pages, search results): the cached ones are keyed by it (forum.page_cache).
    # Random rather than counted, so a database restored from a backup never meets a key it
    # used before.
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})


class Thread(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="threads", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=settings.THREAD_TITLE_MAX_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="threads"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    # Open to every member who may post, whatever the category's restrictions and the lock
    # (forum.rules): set and cleared only by the services of the app whose process the thread
    # belongs to (the discussion of a live charter amendment), never in the admin.
    held_open = models.BooleanField(_("held open"), default=False, editable=False)
    # The language the title is written in, as for its first post (Post.language).
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", db_default="", editable=False
    )
    # Posts are numbered 1..post_count in the thread, deleted ones included, so a page is a range
    # of numbers and unread counts are a subtraction.
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # Changes, in the same transaction, with anything a visitor sees on the thread's pages (see
    # Category.stamp).
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                F("category"),
                F("pinned").desc(),
                F("last_activity_at").desc(),
                name="thread_category_listing",
            ),
            # Search reaches the categories of threads held open (forum.selectors.search_scope)
            # at every request: a few rows, found without reading every thread.
            models.Index(fields=["category"], condition=Q(held_open=True), name="thread_held_open"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"pk": self.pk})

    @property
    def unread_count(self) -> int | None:
        """Posts after the reader's mark; None when the reader has no mark (or none was loaded)."""
        last_read = getattr(self, "last_read_number", None)
        return None if last_read is None else max(0, self.post_count - last_read)


class PostState(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Hidden pending review")
    HIDDEN = "hidden", _("Hidden by moderation")
    DELETED = "deleted", _("Deleted")


class Post(models.Model):
    # No index of its own: the unique (thread, number) index serves every lookup by thread, and
    # with a second one the planner may read a whole long thread to find one page of it.
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    source = models.TextField(_("text"))
    html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=8, choices=PostState, default=PostState.VISIBLE)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    thanks_count = models.PositiveIntegerField(default=0, editable=False)
    # The language the post is taken to be written in, recorded as it is posted (forum.services
    # .posting): pages in another language mark its text with `lang`, so a screen reader reads
    # it with the right voice. Empty when unknown, as for posts from before it was recorded.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", db_default="", editable=False
    )
    # The words of the post, and of its thread's title for a first post (GIN-indexed on
    # PostgreSQL: migration 0003).
    search_vector = SearchVectorField(null=True, editable=False)
    # Whether the thread's (or, for a first post, the category's) watchers have been told.
    # Set in the same transaction as their notifications, so a lost task is redone by the sweep.
    announced = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="post_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="post_number_positive"),
            models.CheckConstraint(
                condition=Q(state=PostState.DELETED) | Q(deleted_by__isnull=True),
                name="post_deleted_by_only_when_deleted",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="post_author_recent"),
            models.Index(
                fields=["created_at"], condition=Q(announced=False), name="post_unannounced"
            ),
            # A search ranks the newest matches (forum.selectors.search_posts).
            models.Index(fields=["-created_at"], name="post_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("forum:post", kwargs={"pk": self.pk})

    @property
    def is_visible(self) -> bool:
        return self.state == PostState.VISIBLE

    @property
    def is_deleted(self) -> bool:
        return self.state == PostState.DELETED

    @property
    def is_pending_review(self) -> bool:
        return self.state == PostState.PENDING

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class PostRevision(models.Model):
    """The text a post had before an edit, so history can be read back."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    previous_source = models.TextField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="mention_unique"),
        ]


class Quote(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="quotes")
    quoted_post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="quoted_by")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "quoted_post"], name="quote_unique"),
            models.CheckConstraint(condition=~Q(post=F("quoted_post")), name="quote_not_self"),
        ]


class Thanks(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="thanks")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thanks_given"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thanks")
        verbose_name_plural = _("thanks")
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="thanks_once_per_member"),
        ]


class ReadMark(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_marks"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    last_read_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="read_mark_unique"),
        ]


class WatchLevel(models.TextChoices):
    WATCHING = "watching", _("Watching")
    NORMAL = "normal", _("Normal")
    MUTED = "muted", _("Muted")


class ThreadSubscription(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.CharField(max_length=8, choices=WatchLevel, default=WatchLevel.WATCHING)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="thread_subscription_unique"),
        ]


class CategorySubscription(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="category_subscriptions"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="subscriptions")
    level = models.CharField(max_length=8, choices=WatchLevel, default=WatchLevel.WATCHING)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "category"], name="category_subscription_unique"
            ),
        ]


class UploadKind(models.TextChoices):
    IMAGE = "image", _("Image")
    FILE = "file", _("File")


class Upload(models.Model):
    """An image or file a member uploaded to put in a post (forum.services.uploads).

    It belongs to the first post of its member that uses it, and is served to whoever may see
    that post (forum.rules.can_see_upload): hiding the post hides it. Its bytes never change:
    a signal's copy of the post shows it as it was signalled. One that no post uses a day after
    is removed (UPLOAD_ORPHAN_HOURS)."""

    # In the file's address, which no one can guess: 24 URL-safe characters.
    token = models.CharField(max_length=32, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=UploadKind)
    content_type = models.CharField(max_length=80)
    # The name it is offered under, made safe and ending as its type does.
    name = models.CharField(_("name"), max_length=100)
    stored_as = models.CharField(max_length=200, unique=True, editable=False)
    size = models.PositiveIntegerField(_("size"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="upload_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=UploadKind.values), name="upload_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(kind=UploadKind.FILE) | Q(width__isnull=False, height__isnull=False),
                name="upload_image_has_dimensions",
            ),
        ]
        indexes = [
            # The daily quota sums a member's last day of uploads.
            models.Index(fields=["owner", "created_at"], name="upload_owner_recent"),
            # The hourly sweep finds uploads no post took.
            models.Index(
                fields=["created_at"], condition=Q(post__isnull=True), name="upload_unused"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:upload", kwargs={"token": self.token, "name": self.name})

    @property
    def is_image(self) -> bool:
        return self.kind == UploadKind.IMAGE
