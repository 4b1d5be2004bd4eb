from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from core import stored_files, uploaded_files
from core.next_url import safe_next
from core.rate_limits import rate_limited
from members import avatars, personal_data, rules, services
from members.forms import AvatarForm, DeleteAccountForm, LanguageForm, ProfileForm
from members.models import Member


@login_required
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            member=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        )
        messages.success(request, _("Your settings are saved."))
        return redirect("members:settings")
    return _settings_page(request, form=form, avatar_form=AvatarForm())


def _settings_page(
    request: HttpRequest, *, form: ProfileForm, avatar_form: AvatarForm
) -> HttpResponse:
    return render(
        request,
        "members/settings.html",
        {
            "form": form,
            "avatar_form": avatar_form,
            "can_choose_avatar": rules.can_choose_avatar(request.user),
        },
    )


@login_required
@require_POST
@rate_limited("uploading")
def choose_avatar(request: HttpRequest) -> HttpResponse:
    avatar_form = AvatarForm(request.POST, request.FILES)
    if avatar_form.is_valid():
        try:
            services.set_avatar(member=request.user, file=avatar_form.cleaned_data["avatar"])
        except uploaded_files.Refused as refusal:
            avatar_form.add_error("avatar", str(refusal))
        else:
            messages.success(request, _("Your new picture is saved."))
            return redirect("members:settings")
    return _settings_page(request, form=ProfileForm(instance=request.user), avatar_form=avatar_form)


@login_required
@require_POST
# Each change restamps every thread the member wrote in (forum.page_cache): counted as uploads.
@rate_limited("uploading")
def remove_avatar(request: HttpRequest) -> HttpResponse:
    services.remove_avatar(member=request.user)
    messages.success(request, _("Your picture is removed: your initial is shown instead."))
    return redirect("members:settings")


@require_safe
def avatar_file(request: HttpRequest, pk: int, key: str, size: int) -> HttpResponse:
    """A member's picture, at one of the sizes pages show. Its address changes with the
    picture, so it is kept a year; a picture replaced or removed is no longer served. A banned
    member's stays, as their name does beside the posts they wrote; a deleted member has none."""
    if size not in avatars.SIZES or not Member.objects.filter(pk=pk, avatar=key).exists():
        raise Http404
    return stored_files.serve(
        avatars.stored_name(pk, key, size),
        content_type="image/webp",
        download_name=f"{key}-{size}.webp",
        inline=True,
        cache_control=stored_files.CACHED_FOR_A_YEAR,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: remembered in a cookie, and in the profile of a signed-in member."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(safe_next(request, "/"))
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.choose_language(member=request.user, language=language)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


@login_required
@require_GET
# Asked on the way to the export rather than only at its link: the member comes back here
# after giving the password, and the download then starts at once.
@reauthentication_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "members/my_data.html")


@never_cache
@login_required
@require_GET
# Everything the account holds, in one file: a stolen session must not walk off with it.
@reauthentication_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    member = request.user
    name = f"{slugify(settings.SITE_NAME)}-{member.username}-{timezone.localdate():%Y-%m-%d}"
    return FileResponse(
        personal_data.archive(member),
        as_attachment=True,
        filename=f"{name}.zip",
        content_type="application/zip",
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("deleting-account")
def delete_account(request: HttpRequest) -> HttpResponse:
    member = request.user
    allowed = rules.can_delete_account(member)
    form = DeleteAccountForm(request.POST or None, member=member)
    if request.method == "POST" and allowed and form.is_valid():
        services.delete_account(member=member, remove_posts=form.cleaned_data["remove_posts"])
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for taking part."))
        return redirect("forum:index")
    status = 403 if request.method == "POST" and not allowed else 200
    return render(
        request, "members/delete_account.html", {"form": form, "allowed": allowed}, status=status
    )


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy.html",
        {"session_days": settings.SESSION_COOKIE_AGE // (24 * 3600)},
    )
