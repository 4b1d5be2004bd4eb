from django.contrib import admin


class ReadOnly:
    """Rows written by the services only: an admin page or inline that looks, never writes."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """A read-only model admin; it may still act through actions."""
