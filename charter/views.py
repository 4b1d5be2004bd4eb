from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter import rules, selectors, services
from charter.forms import (
    AcceptForm,
    AmendmentForms,
    ArticleFormSet,
    CompareForm,
    ParametersForm,
    draft_articles,
)
from charter.models import CharterVersion, Proposal, ProposalState
from charter.parameters import FRACTION_NAMES, defaults
from charter.texts import apply_changes, compare, compare_parameters
from core.next_url import safe_next
from core.outcomes import attempt
from core.rate_limits import rate_limited
from members.rules import require


def _version_or_404(**lookup) -> CharterVersion:
    try:
        return selectors.version_with_articles(**lookup)
    except CharterVersion.DoesNotExist as missing:
        raise Http404 from missing


def _proposal_or_404(pk: int) -> Proposal:
    try:
        return selectors.proposal_detail(pk)
    except Proposal.DoesNotExist as missing:
        raise Http404 from missing


@require_GET
def charter(request: HttpRequest) -> HttpResponse:
    in_force = selectors.version_in_force()
    if in_force is None or not in_force.is_ratified:
        return redirect("charter:draft")
    return render(request, "charter/version.html", _version_context(request, in_force.number))


@require_GET
def version(request: HttpRequest, number: int) -> HttpResponse:
    return render(request, "charter/version.html", _version_context(request, number))


def _version_context(request: HttpRequest, number: int) -> dict:
    shown = _version_or_404(number=number, state="ratified")
    current = selectors.current_version()
    return {
        "version": shown,
        "is_current": current is not None and current.pk == shown.pk,
        "current": current,
        "ballot": getattr(shown, "ratified_by", None),
        "open_ballots": selectors.open_ballots(),
        "accepted": request.user.is_authenticated and selectors.has_accepted(request.user, shown),
    }


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "charter/history.html",
        {"versions": selectors.ratified_versions(), "void_ballots": selectors.void_ballots()},
    )


@require_GET
def diff(request: HttpRequest) -> HttpResponse:
    numbers = list(selectors.ratified_versions().values_list("number", flat=True))
    if not numbers:
        raise Http404
    newest = numbers[0]
    form = CompareForm(
        request.GET or None,
        numbers=numbers,
        initial={"old": max(newest - 1, 1), "new": newest},
    )
    old_number, new_number = max(newest - 1, 1), newest
    if form.is_bound and form.is_valid():
        old_number, new_number = form.cleaned_data["old"], form.cleaned_data["new"]
    old = _version_or_404(number=old_number, state="ratified")
    new = _version_or_404(number=new_number, state="ratified")
    return render(
        request,
        "charter/diff.html",
        {
            "form": form,
            "old": old,
            "new": new,
            "articles": compare(selectors.article_texts(old), selectors.article_texts(new)),
            "parameters": compare_parameters(old.settings, new.settings),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest) -> HttpResponse:
    in_force = selectors.version_in_force()
    next_url = safe_next(request, reverse("forum:index"))
    if in_force is None:
        # A fresh site has no charter yet: nothing to accept, nothing to stop anyone posting.
        # The member still says so with a POST: a GET never changes their standing.
        if request.method == "POST":
            services.accept_charter(member=request.user, version=None)
            return HttpResponseRedirect(next_url)
        return render(request, "charter/accept_nothing.html", {"next": next_url})
    form = AcceptForm(request.POST or None, initial={"version": in_force.pk})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != in_force.pk:
            form.add_error(None, _("A newer version of the charter is in force: read it first."))
        else:
            services.accept_charter(member=request.user, version=in_force)
            messages.success(request, _("Thank you: you accepted the charter."))
            return HttpResponseRedirect(next_url)
    version = selectors.version_with_articles(pk=in_force.pk)
    return render(
        request,
        "charter/accept.html",
        {
            "version": version,
            "form": form,
            "next": next_url,
            "accepted": selectors.has_accepted(request.user, version),
        },
    )


@require_GET
def draft(request: HttpRequest) -> HttpResponse:
    current = selectors.draft()
    if current is None:
        if selectors.current_version() is not None:
            return redirect("charter:charter")
        return render(
            request, "charter/no_charter.html", {"can_draft": rules.can_draft(request.user)}
        )
    shown = selectors.version_with_articles(pk=current.pk)
    founding = defaults()
    return render(
        request,
        "charter/draft.html",
        {
            "version": shown,
            "founding_ballots": selectors.founding_ballots(),
            "can_edit": rules.can_edit_draft(request.user, shown),
            "founding_days": founding["founding_ballot_days"],
            "founding_quorum": founding["quorum_founding"],
            "founding_majority": FRACTION_NAMES[founding["majority_founding"]],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest) -> HttpResponse:
    current = selectors.draft()
    if current is None and selectors.current_version() is None:
        require(rules.can_draft(request.user))
        current = CharterVersion(state="provisional")
    else:
        require(current is not None and rules.can_edit_draft(request.user, current))
    initial = [
        {
            "identity": a.identity,
            "title": a.title,
            "body": a.body,
            "entrenched": a.entrenched,
            "ORDER": a.number,
        }
        for a in (current.articles.all() if current.pk else [])
    ]
    data = request.POST if request.method == "POST" else None
    formset = ArticleFormSet(data, initial=initial, prefix="article")
    parameters = ParametersForm(data, values=current.settings, prefix="parameter")
    if request.method == "POST" and formset.is_valid() and parameters.is_valid():
        try:
            services.edit_provisional_charter(
                admin=request.user,
                version=current if current.pk else None,
                articles=draft_articles(formset),
                parameters=parameters.all_values(),
            )
        except services.InvalidChange as error:
            formset._non_form_errors = formset.error_class([str(error)])
        else:
            messages.success(request, _("The provisional charter is saved."))
            return redirect("charter:draft")
    return render(
        request,
        "charter/edit_draft.html",
        {"version": current, "formset": formset, "parameters": parameters},
    )


@login_required
@require_POST
def open_founding_ballot(request: HttpRequest) -> HttpResponse:
    current = selectors.draft()
    require(current is not None and rules.can_edit_draft(request.user, current))
    try:
        ballot = services.open_founding_ballot(admin=request.user, version=current)
    except services.InvalidChange as error:
        messages.error(request, str(error))
        return redirect("charter:draft")
    messages.success(
        request,
        _("The founding ballot is prepared: it opens as soon as its trustees have made its key."),
    )
    return redirect(ballot)


@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    listed = selectors.proposals()
    current = selectors.current_version()
    return render(
        request,
        "charter/proposals.html",
        {
            "live": [p for p in listed if p.is_live or p.state == ProposalState.BALLOT],
            "ended": [p for p in listed if not (p.is_live or p.state == ProposalState.BALLOT)],
            "drafts": selectors.drafts_of(request.user) if request.user.is_authenticated else [],
            "why_not": rules.standing_problem(request.user, current),
            "current": current,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_proposal(request: HttpRequest) -> HttpResponse:
    current = selectors.current_version()
    why_not = rules.standing_problem(request.user, current)
    if why_not:
        return render(request, "charter/cannot_propose.html", {"why_not": why_not}, status=403)
    return _amendment_page(
        request,
        version=selectors.version_with_articles(pk=current.pk),
        proposal=None,
        save=partial(services.create_proposal, author=request.user),
        done=_("Your draft is saved. Submit it when it is ready for co-sponsors."),
    )


def _amendment_page(
    request: HttpRequest,
    *,
    version: CharterVersion,
    proposal: Proposal | None,
    save: Callable[..., Proposal],
    done: str,
) -> HttpResponse:
    """The amendment form against `version`, empty for a new proposal or filled in with the
    text of `proposal`: on a valid POST, `save` it and show the proposal."""
    articles = selectors.article_texts(version)
    written = {}
    if proposal is not None:
        written = {
            "initial": {"title": proposal.title, "rationale": proposal.rationale},
            "changes": selectors.changes_of(proposal),
            "parameters": proposal.parameters,
        }
    forms = AmendmentForms(
        request.POST or None, articles=articles, values=version.settings, **written
    )
    if request.method == "POST" and forms.is_valid():
        try:
            saved = save(**forms.amendment())
        except services.InvalidChange as error:
            forms.add_error(str(error))
        else:
            messages.success(request, done)
            return redirect(saved)
    return render(
        request,
        "charter/edit_proposal.html",
        {"forms": forms, "version": version, "proposal": proposal},
    )


@require_GET
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _proposal_or_404(pk)
    if shown.state == ProposalState.DRAFT and shown.author_id != request.user.pk:
        raise Http404
    current = selectors.current_version()
    base_texts = selectors.article_texts(shown.base)
    amended = apply_changes(base_texts, selectors.changes_of(shown))
    sponsors = [s.member for s in shown.sponsorships.all()]
    return render(
        request,
        "charter/proposal.html",
        {
            "proposal": shown,
            "articles": [d for d in compare(base_texts, amended) if d.status != "same"],
            "parameters": compare_parameters(
                shown.base.settings, shown.base.settings | shown.parameters
            ),
            "sponsors": sponsors,
            "sponsors_needed": shown.base.settings["cosponsors"],
            "i_sponsor": request.user in sponsors,
            "can_sponsor": rules.can_sponsor(request.user, shown, current),
            "why_not_sponsor": rules.standing_problem(request.user, current),
            "can_revise": rules.can_revise(request.user, shown),
            "can_submit": rules.can_submit(request.user, shown, current),
            "can_withdraw": rules.can_withdraw(request.user, shown),
            "ballot": getattr(shown, "ballot", None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """Revise a draft or a proposal in discussion, or rebase an outdated one."""
    shown = _proposal_or_404(pk)
    require(rules.can_revise(request.user, shown))
    return _amendment_page(
        request,
        version=selectors.version_with_articles(pk=selectors.current_version().pk),
        proposal=shown,
        save=partial(services.revise_proposal, author=request.user, proposal=shown),
        done=_("The proposal is saved."),
    )


def _proposal_action(operation: Callable[..., object], done: str):
    """A POST by a proposal's author that either is done or says why not; back to the proposal."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        shown = _proposal_or_404(pk)
        act = partial(operation, author=request.user, proposal=shown)
        attempt(request, act, refusal=services.InvalidChange, done=done)
        return redirect(shown)

    return view


submit_proposal = _proposal_action(
    services.submit_proposal, gettext_lazy("Your proposal is published: it now needs co-sponsors.")
)
withdraw_proposal = _proposal_action(
    services.withdraw_proposal, gettext_lazy("The proposal is withdrawn.")
)


@login_required
@require_POST
@rate_limited(
    "co-sponsoring", granted=lambda request, pk: selectors.may_still_sponsor(request.user, pk)
)
def sponsor_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    shown = _proposal_or_404(pk)
    sponsor = partial(services.sponsor_proposal, member=request.user, proposal=shown)
    if not attempt(request, sponsor, refusal=services.InvalidChange):
        return redirect(shown)
    if shown.state == ProposalState.DISCUSSION:
        ends = timezone.localtime(shown.discussion_ends_at)
        messages.success(
            request,
            _(
                "You co-sponsor this proposal. It has all its co-sponsors: its discussion is "
                "open until %(date)s, in the forum thread linked below."
            )
            % {"date": date_format(ends, "DATETIME_FORMAT")},
        )
    else:
        messages.success(request, _("You co-sponsor this proposal."))
    return redirect(shown)
