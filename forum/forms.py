from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forum.models import WatchLevel

# Shorter, a title or a post says nothing; what members send by email is held to it too.
TITLE_MIN_LENGTH = 3
POST_MIN_LENGTH = 2


class PostSourceField(forms.CharField):
    widget = forms.Textarea

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Message"))
        kwargs.setdefault(
            "help_text", _("Markdown: **bold**, *italic*, > quote, - list, [link](https://…).")
        )
        super().__init__(
            max_length=settings.POST_MAX_LENGTH,
            min_length=POST_MIN_LENGTH,
            strip=True,
            error_messages={
                "required": _("Write something before posting."),
                "max_length": _(
                    "A message can be at most %(limit_value)d characters long "
                    "(it has %(show_value)d)."
                ),
                "min_length": _("A message needs at least %(limit_value)d characters."),
            },
            **kwargs,
        )
        self.widget.attrs.update({"rows": 8, "id": "id_source"})


class ThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=settings.THREAD_TITLE_MAX_LENGTH,
        min_length=TITLE_MIN_LENGTH,
        strip=True,
        error_messages={
            "required": _("Give your thread a title."),
            "min_length": _("A title needs at least %(limit_value)d characters."),
            "max_length": _(
                "A title can be at most %(limit_value)d characters long (it has %(show_value)d)."
            ),
        },
    )
    source = PostSourceField()


class PostForm(forms.Form):
    source = PostSourceField()


class WatchForm(forms.Form):
    level = forms.ChoiceField(label=_("Notifications"), choices=WatchLevel.choices)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        strip=True,
        error_messages={"max_length": _("Keep your search under %(limit_value)d characters.")},
    )


class AttachmentForm(forms.Form):
    """The composer's file button: an image (with what it shows, for those who cannot see it)
    or a file, whose Markdown goes into the text."""

    attachment = forms.FileField(
        label=_("Add an image or a file"),
        # The name is the sender's word and only named for the download: nothing checks it.
        max_length=None,
        allow_empty_file=True,
        error_messages={
            "required": _("Choose a file to add."),
            "invalid": _("No file was received: choose it again."),
        },
    )
    alt = forms.CharField(
        label=_("What the image shows"),
        help_text=_("For those who cannot see it: needed for an image, not for a file."),
        max_length=300,
        required=False,
        strip=True,
        error_messages={
            "max_length": _(
                "A description can be at most %(limit_value)d characters long "
                "(it has %(show_value)d)."
            ),
        },
    )
