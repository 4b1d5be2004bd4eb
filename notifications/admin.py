from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin
from notifications import services
from notifications.models import Delivery, Notification


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "channel", "state", "attempts", "short_error",
                    "sent_at"]  # fmt: skip
    list_filter = ["state", "channel"]
    search_fields = ["recipient__username", "recipient__email", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    @admin.display(description=_("last error"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:120]

    @admin.action(description=_("Send the selected failed deliveries again"))
    def send_again(self, request, queryset) -> None:
        count = services.retry_deliveries(deliveries=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed delivery queued again.",
                "%(count)d failed deliveries queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "email", "read_at"]
    list_filter = ["kind", "email"]
    search_fields = ["recipient__username", "title"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
