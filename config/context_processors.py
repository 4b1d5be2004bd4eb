from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    # The charter is written in the site's language, whatever the reader's (as the demo loads it,
    # and as search indexes the forum): its texts carry lang="{{ CHARTER_LANGUAGE }}".
    return {"SITE_NAME": settings.SITE_NAME, "CHARTER_LANGUAGE": settings.LANGUAGE_CODE}
