import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.models import Article
from forum.models import Category
from members.models import Member, Role
from moderation.models import Action, AppealState, Outcome
from moderation.sanctions import Step
from moderation.selectors import JournalFilters, QueueFilters


class ArticleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, article: Article) -> str:
        return str(article)

    def clean(self, value):
        try:
            return super().clean(value)
        except OverflowError:  # SQLite cannot even compare an id beyond 64 bits
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            ) from None


class SignalForm(forms.Form):
    articles = ArticleChoiceField(
        label=_("Which article of the charter does it breach?"),
        queryset=Article.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other = forms.BooleanField(label=_("Other (say what in the note)"), required=False)
    note = forms.CharField(
        label=_("Note to the moderators"),
        required=False,
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required with “other”. The author never learns who signalled the post."),
    )

    def __init__(self, *args, articles, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = articles

    def clean(self):
        data = super().clean()
        if not data.get("articles") and not data.get("other"):
            raise ValidationError(_("Choose the article the post breaches, or “other”."))
        if data.get("other") and not data.get("note", "").strip():
            self.add_error("note", _("With “other”, say in a note what the post breaches."))
        return data


def _outcome_field(label: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)


def _rationale_field(**options) -> forms.CharField:
    """A moderator's rationale, as long as the record keeps it."""
    return forms.CharField(
        label=pgettext_lazy("the reasons for a moderation decision", "Rationale"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        **options,
    )


class DecisionForm(forms.Form):
    """Its `sanction` is cleaned into a `Step` of the `ladder` it offers (the charter's ladder
    in force), or None."""

    outcome = _outcome_field(
        _("Decision"),
        [
            (Outcome.DISMISSED, _("Dismiss: no breach")),
            (Outcome.UPHELD, _("Uphold: the post breaches the charter")),
        ],
    )
    articles = ArticleChoiceField(
        label=_("Articles cited"),
        queryset=Article.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    action = forms.ChoiceField(
        label=_("What to do with the post"),
        choices=[("", _("Nothing (dismissal)")), *Action.choices],
        required=False,
    )
    sanction = forms.TypedChoiceField(
        label=_("Sanction on the author"),
        coerce=Step.from_choice,
        empty_value=None,
        required=False,
    )
    rationale = _rationale_field(
        required=False,
        help_text=_(
            "Told to the author and the signallers, and published in the journal. "
            "With “keep”, it is shown on the post as the moderators' note."
        ),
    )

    def __init__(self, *args, articles, ladder: tuple[Step, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = articles
        self.fields["sanction"].choices = [
            ("", _("No sanction")),
            *((step.choice, step.label) for step in ladder),
        ]

    def clean(self):
        data = super().clean()
        if data.get("outcome") != Outcome.UPHELD:
            # The form suggests a sanction in advance; a dismissal simply takes none.
            data["action"], data["sanction"] = "", None
            return data
        if not data.get("articles"):
            self.add_error("articles", _("Upholding requires citing at least one article."))
        if not data.get("rationale", "").strip():
            self.add_error("rationale", _("Upholding requires a rationale."))
        if not data.get("action"):
            self.add_error("action", _("Choose what to do with the post."))
        return data


class DeferForm(forms.Form):
    note = forms.CharField(
        label=_("Why defer (seen by moderators only)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say why the decision should be overturned. Another moderator hears the appeal; "
            "you may appeal once."
        ),
        error_messages={"required": _("Say why the decision should be overturned.")},
    )


class HearingForm(forms.Form):
    outcome = _outcome_field(
        _("Outcome"),
        [
            (AppealState.CONFIRMED, _("Confirm the decision")),
            (AppealState.OVERTURNED, _("Overturn it: restore the post and lift the sanction")),
        ],
    )
    rationale = _rationale_field(
        error_messages={"required": _("Hearing an appeal requires a rationale.")}
    )


class QueueFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    article = forms.ChoiceField(label=_("Article"), required=False)
    claimed = forms.ChoiceField(
        label=_("Claimed"),
        required=False,
        choices=[
            ("", _("All cases")),
            ("unclaimed", _("Unclaimed")),
            ("claimed", _("Claimed")),
            ("mine", _("Claimed by me")),
        ],
    )

    def __init__(self, *args, articles: list[Article], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = _article_choices(articles)

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters()
        category = self.cleaned_data["category"]
        return QueueFilters(
            category=category.slug if category else "",
            article=_identity(self.cleaned_data["article"]),
            claimed=self.cleaned_data["claimed"],
        )


class JournalFilterForm(forms.Form):
    article = forms.ChoiceField(label=_("Article"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", _("All outcomes")),
            (Outcome.UPHELD, Outcome.UPHELD.label),
            (Outcome.DISMISSED, Outcome.DISMISSED.label),
            (AppealState.CONFIRMED, AppealState.CONFIRMED.label),
            (AppealState.OVERTURNED, AppealState.OVERTURNED.label),
        ],
    )

    def __init__(self, *args, articles: list[Article], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = _article_choices(articles)

    def filters(self) -> JournalFilters:
        if not self.is_valid():
            return JournalFilters()
        return JournalFilters(
            article=_identity(self.cleaned_data["article"]), outcome=self.cleaned_data["outcome"]
        )


def _identity(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _article_choices(articles: list[Article]) -> list[tuple[str, str]]:
    return [("", _("All articles"))] + [(str(a.identity), str(a)) for a in articles]


DEACTIVATE, REACTIVATE, GIVE, REMOVE = "deactivate", "reactivate", "give", "remove"


class AccountChangeForm(forms.Form):
    """In the admin: one change to an account's standing or roles, with the reason the
    journal publishes."""

    change = forms.ChoiceField(
        label=pgettext_lazy("noun: a change to an account", "Change"), widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label=_("Reason"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published in the moderation journal, beside the account's public name."),
    )

    def __init__(self, *args, member: Member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = _account_changes(member)

    def chosen(self) -> tuple[str, Role | None]:
        """What to do (deactivate, reactivate, give or remove) and, for a role, which."""
        action, _colon, role = self.cleaned_data["change"].partition(":")
        return action, Role(role) if role else None


def _account_changes(member: Member) -> list[tuple[str, str]]:
    changes = [
        (REACTIVATE, _("Reactivate the account"))
        if not member.is_active
        else (DEACTIVATE, _("Deactivate the account"))
    ]
    for role in Role:
        if member.holds(role):
            changes.append(
                (f"{REMOVE}:{role}", _("Remove the %(role)s role") % {"role": role.label})
            )
        else:
            changes.append((f"{GIVE}:{role}", _("Give the %(role)s role") % {"role": role.label}))
    return changes
