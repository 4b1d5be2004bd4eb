from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import Member


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["display_name", "bio", "language", "time_zone", "theme"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"bio": _("Plain text, shown on your profile.")}


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
