"""Production settings, security headers on every public page, probes, and bad input at scale."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision.models import Result
from decision.services import comparison_content, create_result
from tests.factories import load_flagship

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "decide.example.com",
}


def manage(*args, env: dict, code: str | None = None) -> subprocess.CompletedProcess:
    """Run manage.py (or Python code) in a fresh process with exactly these settings."""
    # Also drop the browser tests' async-safety switch, which production must never have.
    ours = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in ours}
    command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    run = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert run.returncode == 0, run.stderr
    # Only the two HSTS opt-ins (subdomains, preload) are silenced, and only while off.
    assert "System check identified no issues (2 silenced)." in run.stdout
    opted_in = {**PRODUCTION, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "1"}
    run = manage("check", "--deploy", "--fail-level", "WARNING", env=opted_in)
    assert "System check identified no issues (0 silenced)." in run.stdout


@pytest.mark.parametrize(
    "missing, message",
    [
        ("SECRET_KEY", "SECRET_KEY is not set. With DEBUG off, set SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set. With DEBUG off, set it"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(missing, message):
    env = {**PRODUCTION}
    env.pop(missing)
    run = manage("check", env=env)
    assert run.returncode != 0
    assert message in run.stderr


def test_a_malformed_debug_value_is_refused():
    run = manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert run.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in run.stderr


def test_readyz_is_503_when_the_database_is_unreachable():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz', HTTP_HOST='decide.example.com', secure=True);"
        "print(r.status_code, r.json()['status'])"
    )
    env = {
        **PRODUCTION,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "DJANGO_SETTINGS_MODULE": "decision.settings",
        "DB_CONN_MAX_AGE": "0",
    }
    run = manage(env=env, code=code)
    assert run.stdout.strip().splitlines()[-1] == "503 unavailable", run.stderr
    assert '"message": "Service Unavailable: /readyz"' in run.stdout  # a structured log line


@pytest.mark.django_db
def test_probes_answer_when_the_database_is_up(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in client.get("/readyz")["Cache-Control"]


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.mark.django_db
def test_every_public_page_sends_the_security_headers_and_a_strict_csp(client):
    load_flagship()
    content = comparison_content("kubernetes-vs-serverless")
    result = create_result(content, dict(content.scenarios[0].answers))
    urls = [
        "/",
        "/kubernetes-vs-serverless/",
        "/kubernetes-vs-serverless/wizard/",
        "/kubernetes-vs-serverless/wizard/?location=one-cloud&parts=events&step=hardware",
        "/kubernetes-vs-serverless/wizard/review/?location=on-premises",
        result.get_absolute_url(),
        result.get_absolute_url() + "adr.md",
        "/no-such-page/",
        "/admin/login/",
    ]
    for url in urls:
        response = client.get(url)
        for header, value in EXPECTED_HEADERS.items():
            assert response[header] == value, (url, header)
        policy = response["Content-Security-Policy"]
        # Nothing is allowed unless named: the strictest starting point.
        assert policy.startswith("default-src 'none'; "), url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy, url
        assert "base-uri 'none'" in policy and "connect-src 'self'" in policy, url
        assert "camera=()" in response["Permissions-Policy"], url


@pytest.mark.django_db
def test_htmx_finish_without_csrf_token_is_refused():
    load_flagship()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/kubernetes-vs-serverless/wizard/finish/",
        {"location": "on-premises"},  # complete answers: without the check, a result
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert not Result.objects.exists()


# Bad input at scale: nothing a visitor sends produces a server error.

texts = st.text(max_size=40)
pairs = st.lists(st.tuples(texts, texts), max_size=12)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def flagship_db(django_db_blocker):
    with django_db_blocker.unblock():
        load_flagship()


@pytest.mark.django_db
@FUZZ
@given(
    query=pairs,
    path=st.sampled_from(
        ["/", "/kubernetes-vs-serverless/", "/kubernetes-vs-serverless/wizard/", "/healthz"]
    ),
)
def test_random_query_strings_never_cause_a_server_error(client, flagship_db, query, path):
    response = client.get(path, query)
    assert response.status_code < 500


@pytest.mark.django_db
@FUZZ
@given(body=pairs)
def test_random_form_bodies_never_cause_a_server_error(client, flagship_db, body):
    data = {}
    for key, value in body:
        data.setdefault(key, []).append(value)
    response = client.post("/kubernetes-vs-serverless/wizard/finish/", data)
    assert response.status_code < 500


@pytest.mark.django_db
@FUZZ
@given(token=st.text(min_size=1, max_size=200), slug=st.text(min_size=1, max_size=30))
def test_random_tokens_and_slugs_never_cause_a_server_error(client, flagship_db, token, slug):
    from urllib.parse import quote

    for url in (
        f"/kubernetes-vs-serverless/results/{quote(token, safe='')}/",
        f"/kubernetes-vs-serverless/results/{quote(token, safe='')}/adr.md",
        f"/{quote(slug, safe='')}/",
        f"/{quote(slug, safe='')}/wizard/",
    ):
        assert client.get(url).status_code < 500, url


def test_the_cache_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.core.cache import cache;"
        "print(settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1],"
        " settings.CACHES['default'].get('LOCATION', '-'))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "decision.settings"}
    shared = manage(env={**env, "REDIS_URL": "redis://cache.internal:6379/1"}, code=code)
    assert shared.stdout.split() == ["RedisCache", "redis://cache.internal:6379/1"], shared.stderr
    local = manage(env={**env, "REDIS_URL": ""}, code=code)
    assert local.stdout.split() == ["LocMemCache", "-"], local.stderr
