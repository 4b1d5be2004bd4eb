from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import EmailChoice, Kind


class EmailChoicesForm(forms.Form):
    """One choice per kind of notification: at once, in the daily digest, or never by email."""

    def __init__(
        self, *args, kinds: list[Kind], initial_choices: dict[Kind, EmailChoice], **kwargs
    ):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=EmailChoice.choices,
                initial=initial_choices[kind],
                widget=forms.RadioSelect,
            )


class MailingListModeForm(forms.Form):
    mailing_list_mode = forms.BooleanField(
        label=_("Mailing-list mode: every post in the categories I watch, as its own email"),
        help_text=_(
            "Threaded in your mail program like a mailing list; answer any of them to reply "
            "in its thread. Replies and new threads you get this way do not also come as "
            "notification emails; they stay under the bell."
        ),
        required=False,
    )
