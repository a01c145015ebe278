"""Error pages never fail themselves, and readiness reads real content."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains

from tests.factories import load_flagship
from tests.test_security import PRODUCTION, manage

pytestmark = pytest.mark.django_db

# A multipart body without its boundary: Django cannot parse it as form data.
BROKEN = {"data": b"x", "content_type": "multipart/form-data"}


@pytest.fixture
def visitor():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "GCk4bJ6jijlnEBYwGoGwbKOOdIdUNSCh"
    return client


@pytest.mark.parametrize("path", ["/no%20pe/", "/static/nothing-here.css", "/nope/wizard/x/"])
def test_a_malformed_post_to_a_missing_page_is_a_404_page(visitor, path):
    response = visitor.generic("POST", path, **BROKEN)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_malformed_post_with_a_disallowed_host_is_a_400_page(visitor):
    response = visitor.generic("POST", "/no%20pe/", HTTP_HOST="evil.example", **BROKEN)
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("GET", "/kubernetes-vs-serverless/wizard/finish/", "POST"),
        ("DELETE", "/kubernetes-vs-serverless/", "GET, HEAD"),
        ("PUT", "/kubernetes-vs-serverless/wizard/", "GET, HEAD"),
    ],
)
def test_a_method_a_page_does_not_take_gets_the_sites_405_page(method, path, allowed):
    """(Without a CSRF token an unsafe method is refused sooner, with the 403 page.)"""
    load_flagship()
    response = Client(raise_request_exception=False).generic(method, path, **BROKEN)
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assertContains(response, "This page cannot be opened that way", status_code=405)
    assertContains(response, '<meta name="robots" content="noindex">', status_code=405)


def test_readiness_is_503_until_the_database_is_migrated(tmp_path):
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "decision.settings",
    }
    probe = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz', HTTP_HOST='decide.example.com', secure=True);"
        "print(r.status_code)"
    )
    # SQLite creates an empty file on connect: `SELECT 1` would call this ready.
    assert manage(env=env, code=probe).stdout.strip().splitlines()[-1] == "503"
    assert manage("migrate", "--noinput", env=env).returncode == 0
    assert manage(env=env, code=probe).stdout.strip().splitlines()[-1] == "200"
