from django import forms
from django.contrib import admin

from forum import rules, services
from forum.models import Category, Post, Thread


class ThreadAdminForm(forms.ModelForm):
    class Meta:
        model = Thread
        fields = ["title", "pinned", "locked"]

    def clean_locked(self) -> bool:
        locked = self.cleaned_data["locked"]
        if locked and (refusal := rules.why_cannot_lock(self.instance)):
            raise forms.ValidationError(refusal)
        return locked


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "read_restricted", "write_restricted", "thread_count",
                    "post_count"]  # fmt: skip
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "position", "read_restricted", "write_restricted"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    form = ThreadAdminForm
    list_display = ["title", "category", "author", "post_count", "last_activity_at", "pinned",
                    "locked", "held_open"]  # fmt: skip
    list_filter = ["category", "pinned", "locked", "held_open"]
    search_fields = ["title"]
    fields = ["title", "category", "author", "pinned", "locked", "held_open"]
    # Held open by the app whose process the thread belongs to, never by hand.
    readonly_fields = ["category", "author", "held_open"]
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
