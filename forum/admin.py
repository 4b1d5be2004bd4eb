from django.contrib import admin

from forum import services
from forum.models import Category, Post, Thread


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "read_restricted", "write_restricted", "thread_count",
                    "post_count"]  # fmt: skip
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "position", "read_restricted", "write_restricted"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "author", "post_count", "last_activity_at", "pinned",
                    "locked"]  # fmt: skip
    list_filter = ["category", "pinned", "locked"]
    search_fields = ["title"]
    fields = ["title", "category", "author", "pinned", "locked"]
    readonly_fields = ["category", "author"]
    list_select_related = ["category", "author"]

    def has_add_permission(self, request) -> bool:
        return False

    # A hard delete would bypass the forum's soft deletion and moderation's records.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Thread, form, change: bool) -> None:
        services.update_thread(thread=obj, title=obj.title, pinned=obj.pinned, locked=obj.locked)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read-only: posts change through the forum, so revisions and rendering stay right."""

    list_display = ["__str__", "author", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["author", "thread"]
    search_fields = ["source"]
    readonly_fields = ["thread", "number", "author", "source", "state", "created_at", "edited_at"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
