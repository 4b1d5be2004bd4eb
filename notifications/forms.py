from django import forms

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
