"""The forms of the way in (ACCOUNT_FORMS): allauth's, in Palabre's words.

allauth's own checks stay as they are, and a username is also held to the rule for every
member's names (members.names); otherwise only what a newcomer reads changes. Its placeholders
repeat the labels above them, so they go. Each page's first field takes the focus, so that a
keyboard starts where the page is for.
"""

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from members.forms import check_new_name


def _word(form: forms.Form, labels: dict, help_texts: dict | None = None) -> None:
    # A label reads as a name ("Username or email"), and next to a box as a sentence.
    form.label_suffix = ""
    for name, label in labels.items():
        field = form.fields[name]
        field.label = label
        field.widget.attrs.pop("placeholder", None)
    for name, help_text in (help_texts or {}).items():
        form.fields[name].help_text = help_text


def _focus_first(form: forms.Form) -> None:
    first = next(iter(form.visible_fields()))
    first.field.widget.attrs["autofocus"] = True


class SignInForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _word(
            self,
            {
                "login": _("Username or email"),
                "password": _("Password"),
                "remember": _("Keep me signed in on this device"),
            },
            # The page links to the password reset below the form (account/login.html). A
            # help text emptied, not a password (bandit reads the key's name):
            {"password": ""},  # nosec B105
        )
        # The field takes either; "username" is what password managers fill in.
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        _focus_first(self)


class JoinForm(allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _word(
            self,
            {
                "email": _("Email address"),
                "username": _("Username"),
                "password1": _("Password"),
                "password2": _("Password again"),
            },
            {
                "email": _(
                    "To confirm your account, and for the emails you choose. "
                    "Other members do not see it."
                ),
                "username": _(
                    "Public: it signs your posts and is your profile's address. "
                    "3 to 30 letters, digits or underscores."
                ),
                # The rules the validators set, as plain sentences: a page's help is a
                # paragraph, where the list allauth gives cannot go.
                "password1": " ".join(password_validation.password_validators_help_texts()),
            },
        )
        _focus_first(self)

    def clean_username(self) -> str:
        # allauth's checks, then Palabre's: no name that passes for another's (members.names).
        return check_new_name(super().clean_username())

    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            _hash_as_a_new_account_would(self.cleaned_data["password1"])
        return super().try_save(request)


def _hash_as_a_new_account_would(password: str) -> None:
    """Spend on a known address the time a new account spends hashing its password.

    allauth answers a known address as it answers a new one, and mails its owner instead
    (ACCOUNT_PREVENT_ENUMERATION); both emails leave the same way. But it makes no account
    there, so without this the answer comes back half a second sooner, and the time alone
    tells which addresses have an account here.
    """
    make_password(password)


class PasswordResetForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _word(self, {"email": _("Your account's email address")})
        _focus_first(self)


class NewPasswordForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _word(self, {"password1": _("New password"), "password2": _("New password again")})
        _focus_first(self)


class ConfirmPasswordForm(allauth_forms.ReauthenticateForm):
    """Before a change that could take the account (its email address, the data export)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The page links to the password reset below the form (account/reauthenticate.html);
        # an emptied help text, not a password (bandit reads the key's name).
        _word(self, {"password": _("Your password")}, {"password": ""})  # nosec B105
        _focus_first(self)
