import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter import belenios
from charter.models import Choice
from charter.parameters import AMENDABLE, FRACTION_NAMES, Parameter
from charter.services import ArticleDraft
from charter.texts import ArticleText, Change


class AcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(
        label=_("I have read this charter and I accept it."),
        error_messages={"required": _("Tick the box to accept the charter.")},
    )


class ArticleForm(forms.Form):
    identity = forms.UUIDField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Short title"), max_length=80)
    body = forms.CharField(
        label=_("Text"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    entrenched = forms.BooleanField(label=_("Entrenched"), required=False)


ArticleFormSet = forms.formset_factory(
    ArticleForm, extra=1, can_delete=True, can_order=True, max_num=60, validate_max=True
)


def draft_articles(formset) -> list[ArticleDraft]:
    """The articles of a valid draft formset, in the order the admin gave, deleted ones left out."""
    return [
        ArticleDraft(
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"].replace("\r\n", "\n"),
            entrenched=form.cleaned_data["entrenched"],
            identity=form.cleaned_data["identity"],
        )
        for form in formset.ordered_forms
    ]


# ASCII digits (str.isdigit() takes "²", which int() refuses), few enough for int() to read:
# every parameter's own bounds are far lower.
_DAYS = re.compile(r"[0-9]{1,9}")


class LadderField(forms.CharField):
    """The suspensions of the sanction ladder, in days, typed as "1, 3, 7, 30"."""

    def __init__(self, *, parameter: Parameter, **kwargs) -> None:
        super().__init__(
            help_text=_("Days of each suspension, shortest first, separated by commas."), **kwargs
        )
        self.parameter = parameter

    def prepare_value(self, value):
        return ", ".join(str(days) for days in value) if isinstance(value, list) else value

    def to_python(self, value) -> list[int]:
        words = [word.strip() for word in super().to_python(value).split(",") if word.strip()]
        if not all(_DAYS.fullmatch(word) for word in words):
            raise forms.ValidationError(_("Write whole numbers of days separated by commas."))
        days = [int(word) for word in words]
        if problem := self.parameter.problem(days):
            raise forms.ValidationError(problem)
        return days


def _parameter_field(parameter: Parameter) -> forms.Field:
    if parameter.unit == "bool":
        return forms.BooleanField(required=False)
    if parameter.unit == "fraction":
        return forms.ChoiceField(choices=list(FRACTION_NAMES.items()))
    if parameter.unit == "ladder":
        return LadderField(parameter=parameter)
    return forms.IntegerField(min_value=parameter.minimum, max_value=parameter.maximum)


class ParametersForm(forms.Form):
    """One field per amendable procedural parameter, starting from the values in force."""

    def __init__(self, *args, values: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.values = values
        for parameter in AMENDABLE:
            field = _parameter_field(parameter)
            field.label = parameter.label
            field.initial = values[parameter.key]
            self.fields[parameter.key] = field

    def all_values(self) -> dict:
        return dict(self.cleaned_data)

    def changed_values(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value != self.values[key]}


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    rationale = forms.CharField(
        label=pgettext_lazy("why an amendment is proposed", "Rationale"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why the charter should change. Markdown is allowed."),
    )


class ArticleChangeForm(forms.Form):
    """What a proposal does to one article of the version it amends."""

    ACTIONS = [
        ("keep", _("Keep")),
        ("change", pgettext_lazy("verb: what a proposal does to an article", "Change")),
        ("remove", _("Remove")),
    ]
    action = forms.ChoiceField(label=_("This article"), choices=ACTIONS, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Short title"), max_length=80, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    entrenched = forms.BooleanField(label=_("Entrenched"), required=False)

    def __init__(self, *args, article: ArticleText, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.article = article

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") != "change":
            return data
        if not data.get("title") or not data.get("body"):
            raise ValidationError(_("A changed article needs a short title and a text."))
        unchanged = (
            data["title"] == self.article.title
            and data["body"].replace("\r\n", "\n") == self.article.body
            and data["entrenched"] == self.article.entrenched
        )
        if unchanged:
            raise ValidationError(_("You chose to change this article but its words are the same."))
        return data

    def change(self) -> Change | None:
        data = self.cleaned_data
        if data["action"] == "keep":
            return None
        if data["action"] == "remove":
            return Change("remove", self.article.identity)
        body = data["body"].replace("\r\n", "\n")
        return Change("change", self.article.identity, data["title"], body, data["entrenched"])


class NewArticleForm(forms.Form):
    identity = forms.UUIDField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Short title"), max_length=80, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    position = forms.IntegerField(
        label=_("Number it takes"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Leave empty to add it at the end."),
    )
    entrenched = forms.BooleanField(label=_("Entrenched"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("title")) != bool(data.get("body")):
            raise ValidationError(_("A new article needs both a short title and a text."))
        return data

    def change(self) -> Change | None:
        data = self.cleaned_data
        if not data.get("title"):
            return None
        return Change(
            "add",
            data.get("identity") or uuid.uuid4(),
            data["title"],
            data["body"].replace("\r\n", "\n"),
            data["entrenched"],
            data.get("position") or 0,
        )


NewArticleFormSet = forms.formset_factory(NewArticleForm, extra=2, max_num=20, validate_max=True)


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, no or abstain.")},
    )
    final = forms.BooleanField(
        label=_("I understand that my vote is secret and final: it cannot be changed."),
        error_messages={"required": _("Confirm that you understand your vote is final.")},
    )


class UploadedTextForm(forms.Form):
    """One small text file a trustee uploads, read as UTF-8 text: `text()` once valid."""

    # The limit in bytes; a key file is 23 characters, a belenios-tool output a few kilobytes.
    LIMIT = 1024
    upload = forms.FileField(label=_("File"))

    def clean_upload(self) -> str:
        upload = self.cleaned_data["upload"]
        if upload.size > self.LIMIT:
            raise ValidationError(
                _("This file is too large to be the one asked for (%(limit)s bytes at most).")
                % {"limit": self.LIMIT}
            )
        try:
            text = upload.read().decode("utf-8").strip()
        except UnicodeDecodeError as error:
            raise ValidationError(_("This file is not a text file.")) from error
        if not text:
            raise ValidationError(_("The file is empty."))
        return text

    def text(self) -> str:
        return self.cleaned_data["upload"]


class KeyFileForm(UploadedTextForm):
    """A trustee's key file, for a step the site takes with it and then forgets."""

    upload = forms.FileField(
        label=_("Your key file"),
        help_text=_("The file palabre-trustee-….key you saved when you made your key."),
        error_messages={"required": _("Choose your key file.")},
    )


class TrusteeFileForm(UploadedTextForm):
    """What a trustee made offline with belenios-tool: a certificate, a polynomial, a check or
    a partial decryption."""

    LIMIT = 1024 * 1024
    upload = forms.FileField(
        label=_("The file belenios-tool made"),
        error_messages={"required": _("Choose the file to upload.")},
    )

    def clean_upload(self) -> str:
        text = super().clean_upload()
        try:
            belenios.json_objects(text)
        except ValueError as error:
            raise ValidationError(_("This is not a file belenios-tool made.")) from error
        return text


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=_("From version"), coerce=int)
    new = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in numbers]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices


class AmendmentForms:
    """The forms of one proposal: title and rationale, each article, new articles, parameters.

    Starts from the version amended (`articles`, `values`) and the proposal's own changes, if it
    has any, so that revising or rebasing shows the author their text against the current one.
    """

    def __init__(
        self,
        data=None,
        *,
        articles: list[ArticleText],
        values: dict,
        initial: dict | None = None,
        changes: list[Change] = (),
        parameters: dict | None = None,
    ) -> None:
        changed = {change.identity: change for change in changes}
        self.proposal = ProposalForm(data, initial=initial)
        self.articles = [
            ArticleChangeForm(
                data,
                article=article,
                prefix=f"article-{article.number}",
                initial=_article_initial(article, changed.get(article.identity)),
            )
            for article in articles
        ]
        additions = [
            {
                "identity": c.identity,
                "title": c.title,
                "body": c.body,
                "entrenched": c.entrenched,
                "position": c.position or None,
            }
            for c in changes
            if c.action == "add"
        ]
        self.additions = NewArticleFormSet(data, prefix="new", initial=additions)
        self.parameters = ParametersForm(
            data, values=values, initial={**values, **(parameters or {})}, prefix="parameter"
        )
        self.non_field_errors: list[str] = []

    def is_valid(self) -> bool:
        forms_valid = all(
            [
                self.proposal.is_valid(),
                all([form.is_valid() for form in self.articles]),
                self.additions.is_valid(),
                self.parameters.is_valid(),
            ]
        )
        if forms_valid and not self.changes() and not self.parameters.changed_values():
            self.non_field_errors.append(
                _("An amendment changes at least one article or parameter.")
            )
            return False
        return forms_valid

    def amendment(self) -> dict:
        """What the services take: title, rationale, changes and changed parameters."""
        return {
            "title": self.proposal.cleaned_data["title"],
            "rationale": self.proposal.cleaned_data["rationale"],
            "changes": self.changes(),
            "parameters": self.parameters.changed_values(),
        }

    def changes(self) -> list[Change]:
        found = [form.change() for form in self.articles]
        found += [form.change() for form in self.additions if form.cleaned_data]
        return [change for change in found if change is not None]

    def add_error(self, message: str) -> None:
        self.non_field_errors.append(message)


def _article_initial(article: ArticleText, change: Change | None) -> dict:
    if change is None:
        return {
            "action": "keep",
            "title": article.title,
            "body": article.body,
            "entrenched": article.entrenched,
        }
    if change.action == "remove":
        return {
            "action": "remove",
            "title": article.title,
            "body": article.body,
            "entrenched": article.entrenched,
        }
    return {
        "action": "change",
        "title": change.title,
        "body": change.body,
        "entrenched": change.entrenched,
    }
