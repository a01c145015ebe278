"""Headers: resource policy everywhere, no shared caching of tokens or results, opt-in HSTS."""

import pytest
from django.urls import reverse

from decision.services import comparison_content, create_result
from tests.factories import load_flagship
from tests.test_security import PRODUCTION, manage

pytestmark = pytest.mark.django_db


def test_every_response_forbids_cross_origin_embedding(client):
    load_flagship()
    for url in ["/", "/kubernetes-vs-serverless/", "/kubernetes-vs-serverless/wizard/", "/nope/"]:
        assert client.get(url)["Cross-Origin-Resource-Policy"] == "same-origin", url


def test_a_page_carrying_a_csrf_token_is_never_stored_by_a_cache(client):
    load_flagship()
    content = comparison_content("kubernetes-vs-serverless")
    # Every question answered: the "check your answers" page, whose button finishes (a POST).
    answers = {q.slug: "not-sure" for q in content.questions if q.show_if is None}
    url = reverse("decision:wizard", args=[content.slug])
    review = reverse("decision:wizard_review", args=[content.slug])
    query = "&".join(f"{q}={c}" for q, c in answers.items())
    page = client.get(f"{review}?{query}")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]

    first = client.get(url)
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "no-store" not in first["Cache-Control"]


def test_results_and_their_records_stay_out_of_search_engines_and_shared_caches(client):
    load_flagship()
    content = comparison_content("kubernetes-vs-serverless")
    result = create_result(content, dict(content.scenarios[0].answers))
    adr = reverse("decision:result_adr", args=[result.comparison_slug, result.token])
    for url in [result.get_absolute_url(), adr]:
        response = client.get(url)
        assert response["X-Robots-Tag"] == "noindex", url
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert (
        '<meta name="robots" content="noindex">'
        in client.get(result.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "max-age=31536000"),
        (
            {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"},
            "max-age=31536000; includeSubDomains; preload",
        ),
    ],
)
def test_hsts_binds_subdomains_and_preloading_only_when_asked(tmp_path, extra, expected):
    env = {
        **PRODUCTION,
        **extra,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "decision.settings",
    }
    # The header SecurityMiddleware adds to an HTTPS response under these settings.
    code = (
        "import django; django.setup();"
        "from django.http import HttpResponse;"
        "from django.middleware.security import SecurityMiddleware;"
        "from django.test import RequestFactory;"
        "request = RequestFactory().get('/', secure=True);"
        "response = SecurityMiddleware(lambda r: HttpResponse())(request);"
        "print(response.headers.get('Strict-Transport-Security'))"
    )
    assert manage(env=env, code=code).stdout.strip().splitlines()[-1] == expected
    check = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_policy_is_built_once_but_follows_the_settings(client, settings):
    first = client.get("/")["Content-Security-Policy"]
    assert first.startswith("default-src 'none'; ")
    settings.SECURE_CSP = {"default-src": ["'none'"], "img-src": ["https://images.example"]}
    assert client.get("/")["Content-Security-Policy"] == (
        "default-src 'none'; img-src https://images.example"
    )
