"""Images and files in posts: the composer's upload (by script, or its Attach button without
one), and the files themselves, served to whoever may see the post that shows them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import stored_files, uploaded_files
from core.rate_limits import rate_limited
from forum import rules, services
from forum.forms import AttachmentForm
from forum.models import Upload


@login_required
@require_POST
@rate_limited("uploading")
def upload(request: HttpRequest) -> HttpResponse:
    """The composer's script sends a file here, and puts the Markdown it gets in the text."""
    rules.require(rules.can_upload(request.user))
    attachment = AttachmentForm(request.POST, request.FILES)
    if not attachment.is_valid():
        errors = [error for errors in attachment.errors.values() for error in errors]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    try:
        uploaded = _keep(request, attachment)
    except uploaded_files.Refused as refusal:
        return JsonResponse({"error": str(refusal)}, status=400)
    return JsonResponse(
        {
            "markdown": services.markdown_for(uploaded, alt=attachment.cleaned_data["alt"]),
            "kind": uploaded.kind,
            "name": uploaded.name,
        },
        status=201,
    )


def _keep(request: HttpRequest, attachment: AttachmentForm) -> Upload:
    """The valid form's file, kept for the member (`uploaded_files.Refused` says why not)."""
    return services.upload(
        member=request.user,
        file=attachment.cleaned_data["attachment"],
        alt=attachment.cleaned_data["alt"],
    )


def attaching(request: HttpRequest) -> bool:
    """The composer was sent to add a file: its Add button, or another button (Post, Preview)
    pressed with a file still chosen, which would otherwise be lost without a word: it is
    added, and the member sees their text with it before posting."""
    return "attach" in request.POST or "attachment" in request.FILES


def attach(request: HttpRequest, form: Form) -> tuple[Form, AttachmentForm]:
    """The composer's Attach button, without a script: the upload's Markdown goes at the end of
    the text, and the composer is shown again with what was typed (and no error for a text
    not finished yet)."""
    rules.require(rules.can_upload(request.user))
    attachment = AttachmentForm(request.POST, request.FILES)
    typed = {name: request.POST.get(name, "") for name in form.fields}
    if attachment.is_valid():
        try:
            uploaded = _keep(request, attachment)
        except uploaded_files.Refused as refusal:
            attachment.add_error("attachment", str(refusal))
        else:
            markdown = services.markdown_for(uploaded, alt=attachment.cleaned_data["alt"])
            text = typed.get("source", "").rstrip()
            typed["source"] = f"{text}\n\n{markdown}\n" if text else f"{markdown}\n"
            attachment = AttachmentForm()
            if "attach" not in request.POST:
                messages.info(
                    request,
                    _("The file you had chosen is now in your message: read it over, then post."),
                )
    return type(form)(initial=typed), attachment


@require_safe
def upload_file(request: HttpRequest, token: str, name: str) -> HttpResponse:
    found = (
        Upload.objects.select_related("post__thread__category")
        # Only the post's state is read: not its text, which may be long.
        .defer("post__source", "post__html", "post__search_vector")
        .filter(token=token, name=name)
        .first()
    )
    # A file the reader may not see is answered as one that does not exist.
    if found is None or not rules.can_see_upload(request.user, found):
        raise Http404
    not_modified = get_conditional_response(request, etag=f'"{found.token}"')
    if not_modified is not None:
        not_modified["Cache-Control"] = stored_files.ASK_EACH_TIME
        return not_modified
    return stored_files.serve(
        found.stored_as,
        content_type=found.content_type,
        download_name=found.name,
        inline=found.is_image,
        cache_control=stored_files.ASK_EACH_TIME,
        etag=found.token,
    )
