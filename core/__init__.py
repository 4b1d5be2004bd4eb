"""What every app imports and no app owns: htmx requests, rate limits, read-only admin pages,
tasks queued once a transaction commits, what became of a member's request (done, or refused),
and the record's hash chains and triggers.

A package, not a Django app: it has no models, templates (its pages are the site's, in
templates/) or checks. config/ imports it, never the reverse.
"""
