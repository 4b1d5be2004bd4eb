import pytest
pytestmark = pytest.mark.django_db
def test_h(client, member_client, category):
    for c in (client, member_client):
        for url in ["/", "/notifications/", "/me/settings/"]:
            r = c.get(url)
            print(url, r.status_code, {k: v for k, v in r.headers.items() if k.lower() in ("cache-control", "vary", "expires", "etag", "last-modified")})
