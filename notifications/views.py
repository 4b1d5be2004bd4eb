from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import is_htmx
from core.next_url import safe_next
from members import services as members
from members.models import Member
from notifications import selectors, services
from notifications.forms import EmailChoicesForm, MailingListModeForm
from notifications.models import Notification
from notifications.stop_links import read_stop_emails_token, read_stop_list_token


def _own_notification(request: HttpRequest, pk: int) -> Notification:
    try:
        return selectors.notification_for(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    entries, page = selectors.inbox(request.user, request.GET.get("page", 1))
    return render(request, "notifications/inbox.html", {"entries": entries, "page": page})


@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """HTMX: the bell alone, polled so that the count rises without reloading the page."""
    if not request.user.is_authenticated:
        if is_htmx(request):
            # Signed out meanwhile (e.g. in another tab): 286 tells htmx to stop polling,
            # rather than swap the sign-in page into the header.
            return HttpResponse(status=286)
        return redirect_to_login(request.get_full_path())
    return render(request, "notifications/_bell.html")


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow an entry: to its group's first unread post, and the group is read."""
    notification = _own_notification(request, pk)
    target = selectors.first_unread_in_group(notification)
    services.mark_group_read(member=request.user, notification=notification)
    if not url_has_allowed_host_and_scheme(target.url, allowed_hosts=None):
        raise Http404
    return redirect(target.url)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _own_notification(request, pk)
    services.mark_group_read(member=request.user, notification=notification)
    if is_htmx(request):
        entry = selectors.entry_of(notification)
        return render(request, "notifications/_entry.html", {"entry": entry, "swap_bell": True})
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(member=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = EmailChoicesForm(
        request.POST or None,
        kinds=selectors.kinds_offered(request.user),
        initial_choices=selectors.email_choices(request.user),
    )
    list_form = MailingListModeForm(
        request.POST or None, initial={"mailing_list_mode": request.user.mailing_list_mode}
    )
    if request.method == "POST" and form.is_valid() and list_form.is_valid():
        services.choose_emails(member=request.user, choices=form.cleaned_data)
        members.choose_mailing_list_mode(
            member=request.user, on=list_form.cleaned_data["mailing_list_mode"]
        )
        messages.success(request, _("Your email choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "list_form": list_form})


@login_required
@require_POST
def resume_emails(request: HttpRequest) -> HttpResponse:
    """The member's button "My address works again": they fixed what made it bounce."""
    services.resume_emails(member=request.user)
    messages.success(request, _("Emails to your address resume."))
    return redirect(safe_next(request, default=reverse("notifications:preferences")))


# Mail clients send the one-click POST of RFC 8058 without cookies: the signed link itself is
# the proof, so CSRF protection cannot apply (and a forged POST could only stop emails).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop_emails(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member, kinds = read_stop_emails_token(token)
    except (signing.BadSignature, Member.DoesNotExist, ValueError, TypeError):
        return render(request, "notifications/stop_emails.html", {"invalid": True}, status=404)
    done = request.method == "POST"
    if done:
        services.stop_emails(member=member, kinds=kinds)
    return render(
        request,
        "notifications/stop_emails.html",
        {"member": member, "kinds": kinds, "done": done},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop_list(request: HttpRequest, token: str) -> HttpResponse:
    """Mailing-list mode's unsubscribe link: one click (RFC 8058's POST) turns the mode off.
    The member keeps watching their categories, as the bell shows them."""
    try:
        member = read_stop_list_token(token)
    except (signing.BadSignature, Member.DoesNotExist, ValueError, TypeError):
        return render(request, "notifications/stop_list.html", {"invalid": True}, status=404)
    done = request.method == "POST"
    if done:
        members.choose_mailing_list_mode(member=member, on=False)
    return render(request, "notifications/stop_list.html", {"member": member, "done": done})
