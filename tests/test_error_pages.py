"""Error pages never fail themselves, and readiness reads real content."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from decision.errors import ADMIN_SEARCH_LENGTH
from decision.models import Result
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
        ("POST", "/kubernetes-vs-serverless/", "GET, HEAD"),
        ("PATCH", "/kubernetes-vs-serverless/wizard/finish/", "GET, HEAD, POST"),
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


def test_opening_the_finish_address_leads_back_into_the_wizard(client):
    load_flagship()
    finish = "/kubernetes-vs-serverless/wizard/finish/"
    # Answers left open: the next question, with the answers in question order.
    query = "parts=events&regulation=standard&utm_source=x&parts=web-api&location=one-cloud"
    response = client.get(f"{finish}?{query}")
    assert response.status_code == 302
    assert response["Location"] == (
        "/kubernetes-vs-serverless/wizard/"
        "?location=one-cloud&regulation=standard&parts=web-api&parts=events&step=hardware"
    )
    # Every question that applies answered: the page to check them on, which finishes.
    query = (
        "networking=standard&stage=prototype&team=developers-only&latency=tolerant"
        "&traffic=spiky&state=stateless&duration=seconds&parts=web-api&utm_source=x"
        "&regulation=standard&location=one-cloud"
    )
    response = client.get(f"{finish}?{query}")
    assert response.status_code == 302
    review = (
        "/kubernetes-vs-serverless/wizard/review/?location=one-cloud&regulation=standard"
        "&parts=web-api&duration=seconds&state=stateless&traffic=spiky&latency=tolerant"
        "&team=developers-only&stage=prototype&networking=standard"
    )
    assert response["Location"] == review
    assertContains(client.get(review), f'action="{finish}"')
    # A knock-out first leaves nothing else to ask.
    response = client.get(f"{finish}?utm_source=x&location=on-premises")
    assert response.status_code == 302
    assert response["Location"] == "/kubernetes-vs-serverless/wizard/review/?location=on-premises"
    assert not Result.objects.exists()


def test_a_form_posted_without_its_token_gets_the_sites_page_and_a_way_back():
    load_flagship()
    # The review page is the one form that posts to the finish address.
    step = "/kubernetes-vs-serverless/wizard/review/?location=on-premises"
    client = Client(enforce_csrf_checks=True)  # and no CSRF cookie: cookies blocked
    response = client.post(
        "/kubernetes-vs-serverless/wizard/finish/",
        {"location": "on-premises"},
        headers={"Referer": f"http://testserver{step}"},
    )
    assert response.status_code == 403
    assertContains(response, "This form has expired", status_code=403)
    assertContains(response, f'href="{step.replace("&", "&amp;")}"', status_code=403)
    assert not Result.objects.exists()

    elsewhere = client.post(
        "/kubernetes-vs-serverless/wizard/finish/",
        {"location": "on-premises"},
        headers={"Referer": "https://evil.example/phish"},
    )
    assertNotContains(elsewhere, "evil.example", status_code=403)
    assertContains(elsewhere, 'href="/kubernetes-vs-serverless/wizard/"', status_code=403)


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


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/decision/comparison/", "/admin/auth/user/"])
def test_an_admin_search_too_long_to_run_gets_a_clear_400(admin_client, path):
    load_flagship()
    assert admin_client.get(path, {"q": "x" * 200}).status_code == 200
    response = admin_client.get(path, {"q": "x" * 50_000})
    assert response.status_code == 400
    assert f"at most {ADMIN_SEARCH_LENGTH} characters" in response.content.decode()
