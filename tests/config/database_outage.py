"""The site asked as a WSGI server asks it, with its database connection pointed elsewhere: how
the tests of an unavailable database (and /healthz) take the database away from under it."""

import io
from contextlib import contextmanager
from wsgiref.util import setup_testing_defaults

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.text = body.decode()


def wsgi_get(path: str, **headers: str) -> Answer:
    """GET `path` from the site, as a WSGI server would ask for it."""
    environ = {
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    started = []
    response = WSGIHandler()(environ, lambda status, headers: started.append((status, headers)))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: the connection is closed if it failed
    return Answer(*started[0], body)


@contextmanager
def database_at(**place: str):
    """Within the block, the site's connection goes to `place` instead of the test database,
    whose connection is kept aside untouched."""
    kept_connection, kept_settings = connections["default"], connections.settings["default"]
    connections.settings["default"] = {**kept_settings, **place}
    del connections["default"]
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = kept_settings
        connections["default"] = kept_connection
