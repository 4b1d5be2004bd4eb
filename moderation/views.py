from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter import selectors as charter
from charter.selectors import parameters_in_force
from core.htmx import is_htmx
from core.outcomes import attempt
from core.rate_limits import rate_limited
from forum import selectors as forum
from members.rules import is_moderator, require
from moderation import record, rules, selectors, services
from moderation.appeal_links import read_ban_appeal_token
from moderation.forms import (
    AppealForm,
    DecisionForm,
    DeferForm,
    HearingForm,
    JournalFilterForm,
    QueueFilterForm,
    SignalForm,
)
from moderation.models import Case, Decision

JOURNAL_PAGE_SIZE = 30


def _require_moderator(request: HttpRequest) -> None:
    require(is_moderator(request.user))


def _attempt(form: forms.Form, operation: Callable, **arguments) -> bool:
    """Whether `operation` was done; when moderation refuses it, the form says why."""
    try:
        operation(**arguments)
    except rules.ModerationRefused as refusal:
        form.add_error(None, str(refusal))
        return False
    return True


# Members


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("signalling")
def signal(request: HttpRequest, post_pk: int) -> HttpResponse:
    post = forum.post_for_reader(post_pk, request.user)
    fragment = is_htmx(request)
    if post.pk in selectors.signalled_posts(request.user, [post.pk]):
        return render(
            request,
            "moderation/_signal_received.html" if fragment else "moderation/signal.html",
            {"post": post, "already": True},
        )
    require(rules.can_signal(request.user, post))
    form = SignalForm(
        request.POST if request.method == "POST" else None, articles=selectors.citable_articles()
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form,
            services.signal_post,
            member=request.user,
            post=post,
            article_ids=[article.pk for article in form.cleaned_data["articles"]],
            other=form.cleaned_data["other"],
            note=form.cleaned_data["note"],
        )
    ):
        if fragment:
            return render(request, "moderation/_signal_received.html", {"post": post})
        messages.success(
            request, _("Your signal was received. You will be told what the moderators decide.")
        )
        return redirect(post.get_absolute_url())
    context = {"post": post, "form": form}
    return render(
        request, "moderation/_signal_form.html" if fragment else "moderation/signal.html", context
    )


@login_required
@require_GET
def my_signals(request: HttpRequest) -> HttpResponse:
    signals = selectors.my_signals(request.user)
    record = selectors.signaller_records({request.user.pk}).get(request.user.pk, selectors.Record())
    return render(request, "moderation/my_signals.html", {"signals": signals, "record": record})


@login_required
@require_GET
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_detail(pk)
    require(rules.can_read_decision(request.user, decision))
    return _decision_page(request, decision)


def _decision_page(
    request: HttpRequest, decision, appeal_form: AppealForm | None = None
) -> HttpResponse:
    appeal = selectors.appeal_of(decision)
    if appeal_form is None and rules.can_appeal(
        request.user, decision, appealed=appeal is not None
    ):
        appeal_form = AppealForm()
    return render(
        request,
        "moderation/decision.html",
        {
            "decision": decision,
            "post": decision.case.post,
            "sanction": decision.sanction if selectors.has_sanction(decision) else None,
            "appeal": appeal,
            "appeal_form": appeal_form,
        },
        status=400 if appeal_form is not None and appeal_form.errors else 200,
    )


@login_required
@require_POST
def appeal_decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_detail(pk)
    require(rules.can_read_decision(request.user, decision))
    form = AppealForm(request.POST)
    if form.is_valid():
        statement = form.cleaned_data["statement"]
        appeal = partial(
            services.appeal_decision, member=request.user, decision=decision, statement=statement
        )
        done = _("Your appeal is recorded. Another moderator will hear it.")
        attempt(request, appeal, refusal=rules.ModerationRefused, done=done)
        return redirect(decision)
    return _decision_page(request, decision, appeal_form=form)


# The banned, through the link of the ban email


def _grants_an_appeal(request: HttpRequest, token: str) -> bool:
    """A valid link to a decision not yet appealed: the banned member's one appeal, which no
    site limit may stop."""
    try:
        decision = read_ban_appeal_token(token)
    except (signing.BadSignature, Decision.DoesNotExist, ValueError, TypeError):
        return False
    return selectors.appeal_of(decision) is None


@require_http_methods(["GET", "POST"])
@rate_limited("appealing-by-link", granted=_grants_an_appeal, per_address=True)
def ban_appeal(request: HttpRequest, token: str) -> HttpResponse:
    """The decision that banned a member and their appeal, without signing in (they cannot):
    the signed link is the proof of who they are. CSRF protection stands (the form is this
    page's own, not a mail client's one-click POST)."""
    try:
        decision = read_ban_appeal_token(token)
    except signing.SignatureExpired:
        return render(request, "moderation/ban_appeal.html", {"expired": True}, status=404)
    except (signing.BadSignature, Decision.DoesNotExist, ValueError, TypeError):
        return render(request, "moderation/ban_appeal.html", status=404)
    appeal = selectors.appeal_of(decision)
    author = decision.case.post.author
    form = None
    if rules.can_appeal(author, decision, appealed=appeal is not None):
        form = AppealForm(request.POST if request.method == "POST" else None)
    if (
        form is not None
        and form.is_valid()
        and _attempt(
            form,
            services.appeal_decision,
            member=author,
            decision=decision,
            statement=form.cleaned_data["statement"],
        )
    ):
        messages.success(request, _("Your appeal is recorded. Another moderator will hear it."))
        return redirect(request.path)
    context = {
        "decision": decision,
        "post": decision.case.post,
        "sanction": decision.sanction if selectors.has_sanction(decision) else None,
        "appeal": appeal,
        "appeal_form": form,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "moderation/ban_appeal.html", context, status=status)


# Moderators


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    form = QueueFilterForm(request.GET or None, articles=list(selectors.citable_articles()))
    cases = selectors.queue(request.user, form.filters())
    return render(
        request,
        "moderation/queue.html",
        {"cases": cases, "filter_form": form, "appeal_count": selectors.pending_appeal_count()},
    )


def _case_page(
    request: HttpRequest, case: Case, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    signallers = {signal.signaller_id for signal in case.all_signals}
    previous = selectors.previous_upheld_decisions(case.post.author)
    choices = selectors.decision_choices()
    suggested = selectors.suggested_sanction(previous, choices.ladder)
    can_decide = rules.can_decide(request.user, case, signallers)
    decision_form = bound.get("decision_form")
    if decision_form is None and can_decide:
        cited = {article.pk for signal in case.pending_signals for article in signal.articles.all()}
        decision_form = DecisionForm(
            articles=choices.articles,
            ladder=choices.ladder,
            initial={"articles": list(cited), "sanction": suggested.choice},
        )
    context = {
        "case": case,
        "post": case.post,
        "snapshots": selectors.snapshots(case),
        "previous_decisions": previous,
        "suggested_sanction": suggested.label,
        "conflict": rules.has_conflict(request.user, case, signallers),
        "can_claim": rules.can_claim(request.user, case, signallers),
        "can_release": rules.can_release(request.user, case),
        "can_step_aside": rules.can_step_aside(request.user, case, signallers),
        "can_decide": can_decide,
        "decision_form": decision_form,
        "defer_form": bound.get("defer_form") or (DeferForm() if can_decide else None),
    }
    return render(request, "moderation/case.html", context, status=status)


@login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    return _case_page(request, selectors.case_detail(pk, request.user))


def _case_action(action):
    """A POST on a case that either succeeds (back to the case) or says why it could not."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        _require_moderator(request)
        case = selectors.case_detail(pk, request.user)
        act = partial(action, moderator=request.user, case=case)
        attempt(request, act, refusal=rules.ModerationRefused)
        return redirect(case)

    return view


claim = _case_action(services.claim_case)
release = _case_action(services.release_case)
step_aside = _case_action(services.step_aside)


@login_required
@require_POST
def defer(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    case = selectors.case_detail(pk, request.user)
    form = DeferForm(request.POST)
    if form.is_valid():
        services.defer_case(moderator=request.user, case=case, note=form.cleaned_data["note"])
        messages.success(request, _("The case is deferred: it stays open in the queue."))
        return redirect("moderation:queue")
    return _case_page(request, case, status=400, defer_form=form)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    case = selectors.case_detail(pk, request.user)
    choices = selectors.decision_choices()
    form = DecisionForm(request.POST, articles=choices.articles, ladder=choices.ladder)
    if form.is_valid() and _attempt(
        form,
        services.decide_case,
        moderator=request.user,
        case=case,
        outcome=form.cleaned_data["outcome"],
        article_ids=[article.pk for article in form.cleaned_data["articles"]],
        rationale=form.cleaned_data["rationale"],
        action=form.cleaned_data["action"],
        sanction=form.cleaned_data["sanction"],
    ):
        messages.success(request, _("The decision is recorded and published in the journal."))
        return redirect("moderation:queue")
    return _case_page(request, case, status=400, decision_form=form)


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    return render(request, "moderation/appeals.html", {"appeals": selectors.pending_appeals()})


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_detail(pk)
    decision = selectors.decision_detail(appeal.decision_id)
    require(rules.can_read_decision(request.user, decision))
    signallers = selectors.signaller_ids(decision.case)
    can_hear = rules.can_hear_appeal(request.user, appeal, signallers)
    form = HearingForm(request.POST if request.method == "POST" else None) if can_hear else None
    if request.method == "POST":
        require(can_hear)
        # The form's fields are the hearing's: its outcome and rationale.
        if form.is_valid() and _attempt(
            form, services.hear_appeal, moderator=request.user, appeal=appeal, **form.cleaned_data
        ):
            messages.success(request, _("The appeal is heard and the journal records it."))
            return redirect("moderation:appeals")
    return render(
        request,
        "moderation/appeal.html",
        {
            "appeal": appeal,
            "decision": decision,
            "post": decision.case.post,
            "form": form,
            "conflict": is_moderator(request.user) and not can_hear and appeal.is_pending,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


# Everyone


@require_GET
def journal(request: HttpRequest) -> HttpResponse:
    form = JournalFilterForm(request.GET or None, articles=selectors.journal_articles())
    entries = selectors.journal(form.filters())
    page = Paginator(entries, JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
    public_names = parameters_in_force()["public_moderator_names"]
    return render(
        request,
        "moderation/journal.html",
        {
            "page": page,
            "entries": page.object_list,
            "filter_form": form,
            "show_moderators": rules.can_see_moderator_names(
                request.user, public_names=public_names
            ),
            # The record of the members' procedure keeps these beside the decisions.
            "void_ballots": charter.void_ballots(),
            "record_head": record.head(),
        },
    )


@require_GET
@rate_limited("verifying-record", method="GET")
def verify_record(request: HttpRequest) -> HttpResponse:
    """The check `manage.py verify_record` runs, run here, in this page's own process."""
    return render(request, "moderation/record.html", {"checks": record.check_record()})


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    return render(
        request, "moderation/statistics.html", {"statistics": selectors.article_statistics()}
    )
