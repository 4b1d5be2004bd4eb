"""A ballot's pages: the ballot in each of its states and the vote; for an encrypted ballot, its
public record, its ballot box of trackers, and the steps its trustees take.

A trustee's key file is used by the request that uploads it and forgotten: the services take it
as a string and never store it; the key made in the browser is handed over as a download only.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from charter import belenios, rules, selectors, services, tasks
from charter.forms import KeyFileForm, TrusteeFileForm, UploadedTextForm, VoteForm
from charter.models import Ballot, Election, Trustee
from charter.services import trustees as trusteeship
from charter.texts import apply_changes, compare, compare_parameters
from core.queueing import queue_after_commit
from core.rate_limits import rate_limited
from members.rules import require

# htmx stops polling on this status.
STOP_POLLING = 286
PAPERS_PER_PAGE = 100


def _ballot_or_404(pk: int) -> Ballot:
    try:
        return selectors.ballot_detail(pk)
    except Ballot.DoesNotExist as missing:
        raise Http404 from missing


@require_GET
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "charter/ballot.html", ballot_context(request, _ballot_or_404(pk)))


def ballot_context(request: HttpRequest, shown: Ballot, **forms) -> dict:
    """What the ballot's page shows in each state; `forms` are the bound forms of a refused
    POST (`form` for the vote, `key_form` and `file_form` for the trustee's step)."""
    entry = selectors.roll_entry(shown, request.user)
    why_not = rules.why_cannot_vote(request.user, shown, entry)
    if shown.proposal_id:
        base = shown.result.previous if shown.result_id else shown.proposal.base
        base_texts = selectors.article_texts(base)
        amended = apply_changes(base_texts, selectors.changes_of(shown.proposal))
        articles = [d for d in compare(base_texts, amended) if d.status != "same"]
        parameters = compare_parameters(base.settings, base.settings | shown.proposal.parameters)
    else:
        articles = compare([], selectors.article_texts(shown.draft))
        parameters = []
    # The roll is published once the voting has ended: who voted, never how.
    voting = shown.is_open or shown.is_preparing
    return {
        "ballot": shown,
        "articles": articles,
        "parameters": parameters,
        "votes_cast": selectors.votes_cast(shown),
        "why_not": why_not,
        "form": forms.get("form") or (VoteForm() if why_not is None else None),
        "roll": None if voting else selectors.roll(shown),
        **_election_context(request, shown, forms),
    }


def _election_context(request: HttpRequest, shown: Ballot, forms: dict) -> dict:
    """An encrypted ballot's trustees, the steps they took, the draws that chose them, and the
    panel of the member who is one of them."""
    election = selectors.election_of(shown)
    if election is None:
        return {"election": None}
    election.ballot = shown
    trustees = trusteeship.current_trustees(election)
    mine = next((t for t in trustees if t.member_id == request.user.pk), None)
    step = None
    if mine is not None:
        mine.election = election
        step = services.trustee_step(mine)
    return {
        "election": election,
        "trustees": trustees,
        "trustee_names": [t.member.public_name for t in trustees],
        "decrypted": sum(1 for t in trustees if t.decrypted_at),
        "draws": [draw | {"at": datetime.fromisoformat(draw["at"])} for draw in election.draws],
        "trustee": mine,
        "trustee_step": step,
        "key_name": mine and key_file_name(mine),
        "key_form": forms.get("key_form") or KeyFileForm(),
        "file_form": forms.get("file_form") or TrusteeFileForm(),
    }


@login_required
@require_POST
@rate_limited("voting", granted=lambda request, pk: selectors.may_still_vote(request.user, pk))
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _ballot_or_404(pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        context = ballot_context(request, shown, form=form)
        return render(request, "charter/ballot.html", context, status=400)
    choice = form.cleaned_data["choice"]
    try:
        tracker = services.cast_vote(member=request.user, ballot=shown, choice=choice)
    except services.InvalidChange as refused:
        messages.error(request, str(refused))
        return redirect(shown)
    if tracker is None:
        messages.success(request, _("Your vote is in the ballot box. Thank you."))
    else:
        messages.success(
            request,
            _(
                "Your vote is in the ballot box, encrypted. Its tracker is %(tracker)s: note it "
                "to find your paper in the ballot box. Thank you."
            )
            % {"tracker": tracker},
        )
    return redirect(shown)


@require_GET
def votes_cast(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _ballot_or_404(pk)
    response = render(
        request,
        "charter/_votes_cast.html",
        {"ballot": shown, "votes_cast": selectors.votes_cast(shown)},
    )
    if not shown.is_open:
        response.status_code = STOP_POLLING
    return response


# The public record and the ballot box of an encrypted ballot.


def _public_election(shown: Ballot) -> Election:
    """The election whose record anyone may read: it exists from the opening."""
    election = selectors.election_of(shown)
    if election is None or shown.is_preparing or election.timestamp is None:
        raise Http404
    return election


@require_GET
def ballot_record(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The public record as a Belenios archive, for `belenios-tool election verify`."""
    election = _public_election(_ballot_or_404(pk))
    files = selectors.record_stream(election)
    response = StreamingHttpResponse(
        belenios.archive_bytes(files, timestamp=election.timestamp),
        content_type="application/octet-stream",
    )
    response["Content-Disposition"] = f'attachment; filename="{election.archive_name}"'
    return response


@require_GET
def ballot_box(request: HttpRequest, pk: int) -> HttpResponse:
    """Every paper in the box by its tracker, a page at a time; a member finds theirs."""
    shown = _ballot_or_404(pk)
    election = _public_election(shown)
    page = Paginator(selectors.papers(election), PAPERS_PER_PAGE).get_page(request.GET.get("page"))
    wanted = request.GET.get("tracker", "").strip()[:64]
    found = selectors.paper_number(election, wanted) if wanted else None
    return render(
        request,
        "charter/ballot_box.html",
        {
            "ballot": shown,
            "election": election,
            "page": page,
            "trackers": [
                (number, belenios.tracker(content.encode()))
                for number, content in enumerate(page, start=page.start_index())
            ],
            "wanted": wanted,
            "found": found,
            "found_page": found and (found - 1) // PAPERS_PER_PAGE + 1,
        },
    )


# The trustees' steps. Each is a POST by the member drawn for the place; the services check
# again, under lock, that the step is theirs now, and refuse with a reason otherwise.


def _my_trustee(request: HttpRequest, shown: Ballot) -> Trustee:
    election = selectors.election_of(shown)
    if election is None:
        raise Http404
    election.ballot = shown
    trustees = trusteeship.current_trustees(election)
    mine = next((t for t in trustees if t.member_id == request.user.pk), None)
    require(mine is not None)
    mine.election = election
    return mine


def key_file_name(trustee: Trustee) -> str:
    return f"palabre-trustee-{trustee.election.uuid}-{trustee.position}.key"


def _run_deadlines_soon() -> None:
    """A step may finish the key (the ballot opens) or the decryption (it is counted): the
    deadline run does either, as soon as this request's work is committed."""
    queue_after_commit(tasks.run_deadlines, ())


@login_required
@require_POST
@rate_limited("trustee-steps")
def make_trustee_key(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the site makes the trustee's key and hands it over as a file, keeping only the
    certificate."""
    shown = _ballot_or_404(pk)
    trustee = _my_trustee(request, shown)
    try:
        key = services.make_trustee_key(member=request.user, trustee=trustee)
    except services.InvalidChange as refused:
        messages.error(request, str(refused))
        return redirect(shown)
    _run_deadlines_soon()
    response = HttpResponse(f"{key}\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key_file_name(trustee)}"'
    response["Cache-Control"] = "no-store"
    return response


# What each step does with the key file, and what the trustee is told once it is done.
WITH_KEY = {
    2: (services.share_trustee_key, gettext_lazy("Your key is shared. Thank you.")),
    3: (
        services.check_trustee_shares,
        gettext_lazy("The shares you received are checked. Thank you."),
    ),
    4: (
        services.decrypt_as_trustee,
        gettext_lazy("Your part of the decryption is in the record. Thank you."),
    ),
}

# What each step takes from belenios-tool, offline, and under which name the service takes it.
OFFLINE = {
    1: (services.submit_certificate, "certificate"),
    2: (services.submit_polynomial, "polynomial"),
    3: (services.submit_verification, "voutput"),
    4: (services.submit_partial_decryption, "partial_decryption"),
}


@login_required
@require_POST
@rate_limited("trustee-steps")
def trustee_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Steps 2, 3 and 4 with the trustee's key file."""
    shown = _ballot_or_404(pk)
    trustee = _my_trustee(request, shown)
    step = services.trustee_step(trustee).number
    if step not in WITH_KEY or _stale(request, step):
        return _not_now(request, shown)
    operation, done = WITH_KEY[step]
    take = partial(_with_upload, operation, "key", member=request.user, trustee=trustee)
    form = KeyFileForm(request.POST, request.FILES)
    return _take_step(request, shown, form, "key_form", take, done)


@login_required
@require_POST
@rate_limited("trustee-steps")
def trustee_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Any step with what the trustee made offline with belenios-tool."""
    shown = _ballot_or_404(pk)
    trustee = _my_trustee(request, shown)
    step = services.trustee_step(trustee).number
    if step not in OFFLINE or _stale(request, step):
        return _not_now(request, shown)
    operation, argument = OFFLINE[step]
    take = partial(_with_upload, operation, argument, member=request.user, trustee=trustee)
    form = TrusteeFileForm(request.POST, request.FILES)
    done = gettext_lazy("Your file is accepted. Thank you.")
    return _take_step(request, shown, form, "file_form", take, done)


def _with_upload(operation: Callable[..., None], argument: str, text: str, **by) -> None:
    """The service `operation` with the uploaded `text` as its keyword `argument`."""
    operation(**by, **{argument: text})


def _stale(request: HttpRequest, step: int) -> bool:
    """Whether the form was for another step than the trustee's now (the page is old)."""
    return request.POST.get("step", str(step)) != str(step)


def _not_now(request: HttpRequest, shown: Ballot) -> HttpResponse:
    messages.error(request, _("This step is not yours to take now: reload the page."))
    return redirect(shown)


def _take_step(
    request: HttpRequest,
    shown: Ballot,
    form: UploadedTextForm,
    name: str,
    take: Callable[[str], None],
    done: str,
) -> HttpResponse:
    """Take the trustee's step with the uploaded file: done, back to the ballot; or the page
    again with the form (`name` in the page) saying why not."""
    if form.is_valid():
        try:
            take(form.text())
        except services.InvalidChange as refused:
            form.add_error("upload", str(refused))
        else:
            _run_deadlines_soon()
            messages.success(request, str(done))
            return redirect(shown)
    context = ballot_context(request, shown, **{name: form})
    return render(request, "charter/ballot.html", context, status=400)


# The public inputs of a trustee's offline steps, for belenios-tool.
INPUTS = {
    "certs.jsons": lambda trustee, others: "".join(f"{t.certificate}\n" for t in others),
    "vinput.json": lambda trustee, others: f"{trustee.vinput}\n" if trustee.vinput else "",
    "dkey.json": lambda trustee, others: (
        f"{trustee.decryption_key}\n" if trustee.decryption_key else ""
    ),
}


@login_required
@require_GET
def trustee_input(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    shown = _ballot_or_404(pk)
    trustee = _my_trustee(request, shown)
    others = trusteeship.current_trustees(trustee.election)
    if name not in INPUTS or not all(t.certificate for t in others):
        raise Http404
    content = INPUTS[name](trustee, others)
    if not content:
        raise Http404
    response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
