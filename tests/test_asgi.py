"""The production ASGI application answers requests Django cannot build with 400, not 500."""

import pytest

from tests.asgi_client import asgi_request
from tests.factories import load_flagship

pytestmark = pytest.mark.django_db(transaction=True)
MANY_FIELDS = b"&".join(b"k%d=v" % n for n in range(1_100))


def test_a_page_is_served(settings):
    load_flagship()
    status, _, body = asgi_request("GET", "/kubernetes-vs-serverless/")
    assert status == 200 and b"<h1" in body


@pytest.mark.parametrize(
    "headers, query",
    [
        # A named charset makes Django re-read the query string while building the request.
        ([(b"content-type", b"text/plain; charset=utf-8")], MANY_FIELDS),
        ([(b"content-type", b"application/x-www-form-urlencoded; charset=latin-1")], MANY_FIELDS),
        # Longer than Django parses.
        ([(b"content-type", b"text/plain; a=" + b"x" * 12_000)], b""),
    ],
)
@pytest.mark.parametrize("method, path", [("GET", "/healthz"), ("POST", "/nope/")])
def test_a_request_django_cannot_build_is_a_400_page(method, path, headers, query):
    status, _, body = asgi_request(method, path, query=query, headers=headers)
    assert status == 400
    assert b"We could not read that request" in body
