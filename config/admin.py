from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only; the admin looks, and acts through actions if any."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
