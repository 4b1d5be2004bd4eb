from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Usernames are what `@mentions` and profile URLs use, so they stay simple.
username_validators = [
    RegexValidator(
        r"^[A-Za-z0-9_]{3,30}\Z",
        _("Use 3 to 30 letters, digits or underscores."),
        code="invalid_username",
    )
]
