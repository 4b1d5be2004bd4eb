"""What the composer's file button accepts, as the site's settings say (forum.services.uploads)."""

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from forum.services import uploads

register = template.Library()


@register.simple_tag
def upload_accept() -> str:
    """The file chooser's `accept`: a hint to the browser; the site decides from the bytes."""
    formats = uploads.accepted_formats()
    return ",".join(
        [format.content_type.split(";")[0] for format in formats]
        + [f".{format.extension}" for format in formats]
    )


@register.simple_tag
def upload_limits() -> str:
    return _("%(types)s; at most %(size)s a file.") % {
        "types": ", ".join(str(format.label) for format in uploads.accepted_formats()),
        "size": filesizeformat(settings.UPLOAD_MAX_BYTES),
    }
