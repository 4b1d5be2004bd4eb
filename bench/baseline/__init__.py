"""The bare-Django page that bench/pages.py measures Palabre's pages against (`baseline`).

What a Django page costs at the least for a signed-in reader: Django's own session and
authentication middlewares (the session read from where Palabre keeps it, the member loaded),
one indexed query of 20 posts with their authors, rendered through the Django template engine
with the request and auth context processors. No CSRF, no security headers, no page chrome.
It runs in its own gunicorn, started beside Palabre's with the same workers, database, cache
and secret key, so the member's session cookie is valid on both.
"""
