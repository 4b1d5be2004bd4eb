from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import Member


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["display_name", "bio", "language", "time_zone", "theme", "trustee_volunteer"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"bio": _("Plain text, shown on your profile.")}


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
