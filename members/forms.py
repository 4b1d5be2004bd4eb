from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from members.models import Member
from members.names import TOO_ALIKE, one_line, refuse_invisible, refuse_reserved, skeleton


def check_new_name(name: str, *, member: Member | None = None) -> str:
    """`name` on one line, as `member`'s new username or display name (no member: one
    signing up). Refused when it holds invisible characters, or looks like a reserved name or
    like another member's username or display name (members.names)."""
    name = one_line(name)
    if not name:
        return name
    refuse_invisible(name)
    key = skeleton(name)
    refuse_reserved(key)
    others = Member.objects.exclude(pk=member.pk) if member else Member.objects.all()
    if others.filter(Q(username_skeleton=key) | Q(name_skeleton=key)).exists():
        raise ValidationError(TOO_ALIKE, code="look_alike")
    return name


class NamesMixin:
    """For the forms that change an existing member's names (the profile, the admin's): a name
    left as it was is not compared again, so that a member whose name looked like another's
    before the rule came can still save their settings. (The model's validators still refuse
    invisible characters in it: those the member is asked to remove.)"""

    def _check_changed(self, field: str) -> str:
        name = self.cleaned_data[field]
        if self.instance.pk and one_line(name) == getattr(self.instance, field):
            return getattr(self.instance, field)
        return check_new_name(name, member=self.instance if self.instance.pk else None)

    def clean_display_name(self) -> str:
        return self._check_changed("display_name")


class ProfileForm(NamesMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["display_name", "bio", "language", "time_zone", "theme", "trustee_volunteer"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"bio": _("Plain text, shown on your profile.")}


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label=_("New picture"),
        # The name is the sender's word: nothing reads it. An empty file is refused, with the
        # other refusals, by the service.
        max_length=None,
        allow_empty_file=True,
        error_messages={
            "required": _("Choose a picture to upload."),
            "invalid": _("No file was received: choose it again."),
        },
        # A hint to the browser's file chooser; the site decides from the bytes.
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["avatar"].help_text = _(
            "A JPEG, PNG, WebP or GIF image, at most %(size)s. It is cropped to a square "
            "around its centre."
        ) % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)}


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you."),
    )
    remove_posts = forms.BooleanField(
        label=_("Also remove my posts"),
        required=False,
        help_text=_(
            "Their text and history are erased; each leaves a note that its author deleted it."
        ),
    )

    def __init__(self, *args, member: Member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.member.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password
