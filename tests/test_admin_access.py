"""Who gets into admin: sign-in throttling (django-axes) and the "Content editors" role."""

import importlib
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from decision.models import Comparison, ContentSnapshot, DailyCount, Lead, Result, Vote
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data
from tests.test_admin import FAVOUR_OPTION_2, _inline_post_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
HOME = "192.0.2.10"  # documentation addresses (RFC 5737)
ELSEWHERE = "198.51.100.20"
User = get_user_model()


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """A cheap hasher: these tests hash a password on every sign-in attempt."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor():
    return User.objects.create_user("editor", password=PASSWORD, is_staff=True)


def sign_in(client, username, password, address=HOME, **headers):
    """Post the admin sign-in form from `address`, as a browser would."""
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=address, **headers)


def fail_until_locked(client, username, address=HOME, **headers):
    """Wrong passwords until the lockout page appears: the fifth failure brings it."""
    for _ in range(4):
        response = sign_in(client, username, "wrong", address, **headers)
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    assert sign_in(client, username, "wrong", address, **headers).status_code == 429


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- Sign-in throttling -------------------------------------------------------------------


def test_sixth_attempt_is_refused_even_with_the_right_password_and_never_checked(client, editor):
    real_check = User.check_password
    with mock.patch.object(User, "check_password", autospec=True, side_effect=real_check) as check:
        fail_until_locked(client, "editor")
        assert check.call_count == 5  # the patch does see every password check
        response = sign_in(client, "editor", PASSWORD)
    assert check.call_count == 5
    assert response.status_code == 429
    assert signed_in_as(client) is None
    html = response.content.decode()
    assert "Sign-in paused" in html
    assert "Sign-in is paused for the account “editor”" in html
    assert "from your address, after 5 failed attempts" in html
    assert "Try again in 15 minutes." in html
    assert admin.site.site_header in html


def test_lockout_page_has_no_inline_style_or_script(client, editor):
    fail_until_locked(client, "editor")
    html = sign_in(client, "editor", PASSWORD).content.decode()
    assert "style=" not in html
    assert "<style" not in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_after_the_cool_off_the_right_password_signs_in(client, editor, settings):
    fail_until_locked(client, "editor")
    cool_off = settings.AXES_COOLOFF_TIME
    assert cool_off == timedelta(minutes=15)

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off + timedelta(minutes=1))
    assert sign_in(client, "editor", PASSWORD).status_code == 429  # a minute still to go

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1, seconds=1))
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in_as(client) == str(editor.pk)
    assert not AccessAttempt.objects.exists()


def test_a_success_clears_earlier_failures(client, editor):
    for _ in range(4):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, "editor", "wrong").status_code == 200


def test_another_address_is_not_locked_by_the_first_ones_failures(client, editor):
    fail_until_locked(client, "editor", address=HOME)
    response = sign_in(client, "editor", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302
    assert signed_in_as(client) == str(editor.pk)


def test_another_account_from_the_same_address_is_not_locked(client, editor):
    User.objects.create_user("colleague", password=PASSWORD, is_staff=True)
    fail_until_locked(client, "editor")
    assert sign_in(client, "colleague", PASSWORD).status_code == 302


def test_a_client_sent_header_is_ignored_unless_configured(client, editor):
    """Without a trusted header, a fresh X-Real-IP per attempt buys an attacker nothing."""
    for n in range(4):
        sign_in(client, "editor", "wrong", HTTP_X_REAL_IP=f"203.0.113.{n}")
    response = sign_in(client, "editor", "wrong", HTTP_X_REAL_IP="203.0.113.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}


def test_behind_a_proxy_the_address_comes_from_the_trusted_header(client, editor, settings):
    settings.CLIENT_IP_HEADERS = ("HTTP_X_REAL_IP", "REMOTE_ADDR")
    proxy = "10.0.0.2"
    fail_until_locked(client, "editor", address=proxy, HTTP_X_REAL_IP="203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}

    same_person = sign_in(client, "editor", PASSWORD, proxy, HTTP_X_REAL_IP="203.0.113.7")
    assert same_person.status_code == 429
    someone_else = sign_in(client, "editor", PASSWORD, proxy, HTTP_X_REAL_IP="203.0.113.8")
    assert someone_else.status_code == 302


def _settings_in_a_fresh_process(env: dict) -> dict:
    names = [
        "AXES_COOLOFF_TIME",
        "CLIENT_IP_HEADERS",
        "CLIENT_IP_PROXY_COUNT",
        "RESULTS_PER_CLIENT",
        "RESULTS_WINDOW_SECONDS",
        "AXES_LOG_RETENTION_DAYS",
    ]
    code = (
        "import json; from decision import settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("AXES_", "CLIENT_IP_", "RESULTS_"))
    }
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_throttling_and_client_address_settings_come_from_the_environment():
    assert _settings_in_a_fresh_process({}) == {
        "AXES_COOLOFF_TIME": "0:15:00",
        "CLIENT_IP_HEADERS": ["REMOTE_ADDR"],
        "CLIENT_IP_PROXY_COUNT": None,
        "RESULTS_PER_CLIENT": 20,
        "RESULTS_WINDOW_SECONDS": 3600,
        "AXES_LOG_RETENTION_DAYS": 30,
    }
    configured = {
        "AXES_COOLOFF_MINUTES": "5",
        "CLIENT_IP_HEADERS": "HTTP_X_REAL_IP, REMOTE_ADDR",
        "CLIENT_IP_PROXY_COUNT": "1",
        "RESULTS_PER_CLIENT": "5",
        "RESULTS_WINDOW_SECONDS": "600",
        "AXES_LOG_RETENTION_DAYS": "7",
    }
    assert _settings_in_a_fresh_process(configured) == {
        "AXES_COOLOFF_TIME": "0:05:00",
        "CLIENT_IP_HEADERS": ["HTTP_X_REAL_IP", "REMOTE_ADDR"],
        "CLIENT_IP_PROXY_COUNT": 1,
        "RESULTS_PER_CLIENT": 5,
        "RESULTS_WINDOW_SECONDS": 600,
        "AXES_LOG_RETENTION_DAYS": 7,
    }


def _record(model, username, age: timedelta, **fields):
    row = model.objects.create(
        username=username,
        ip_address=HOME,
        user_agent="test",
        http_accept="*/*",
        path_info="/admin/login/",
        **fields,
    )
    # attempt_time is auto_now_add: age the row afterwards.
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - age)


def test_purge_removes_old_sign_in_records_and_keeps_recent_ones(settings):
    settings.AXES_LOG_RETENTION_DAYS = 30
    attempt = {"get_data": "", "post_data": "", "failures_since_start": 1}
    for username, age in (("old", timedelta(days=31)), ("recent", timedelta(days=29))):
        _record(AccessAttempt, username, age, **attempt)
        _record(AccessFailureLog, username, age)
        _record(AccessLog, username, age)

    out = StringIO()
    call_command("purge_login_attempts", stdout=out)

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert list(model.objects.values_list("username", flat=True)) == ["recent"], model
    assert out.getvalue().strip() == (
        "Deleted sign-in records older than 30 days: 1 attempts, 1 failure logs, 1 access logs."
    )


def test_purge_never_lifts_a_lockout_early(client, editor):
    fail_until_locked(client, "editor")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=10))
    call_command("purge_login_attempts", "--days", "0", stdout=StringIO())
    assert sign_in(client, "editor", PASSWORD).status_code == 429


# --- The "Content editors" role ----------------------------------------------------------


def _role_codenames() -> set[str]:
    """What the role should hold: everything on content, only viewing results, votes and counts.

    A result's content snapshot is part of the result, never edited or listed on its own;
    leads (visitors' names and emails) are not for content editors at all.
    """
    not_content = (Result, ContentSnapshot, Lead, Vote, DailyCount)
    content = [m for m in apps.get_app_config("decision").get_models() if m not in not_content]
    actions = ("add", "change", "delete", "view")
    viewed = {"view_result", "view_vote", "view_dailycount"}
    return {f"{a}_{m._meta.model_name}" for m in content for a in actions} | viewed


@pytest.fixture
def content_editor(client):
    user = User.objects.create_user("writer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Content editors"))
    client.force_login(user)
    return client


def test_the_migration_gave_content_editors_exactly_their_permissions():
    """Made on a fresh test database, where no permission existed before the migration."""
    group = Group.objects.get(name="Content editors")
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert {label for label, _ in held} == {"decision"}
    assert {codename for _, codename in held} == _role_codenames()
    assert {"add_pro", "change_con", "delete_optionpoint"} <= {c for _, c in held}


def test_the_migration_is_idempotent_and_reversible():
    migration = importlib.import_module("decision.migrations.0004_content_editors_group")
    schema_editor = SimpleNamespace(connection=connection)
    group = Group.objects.get(name="Content editors")
    group.permissions.add(Permission.objects.get(codename="change_user"))  # made by hand

    caveats = importlib.import_module("decision.migrations.0010_content_editors_edit_caveats")
    prices = importlib.import_module("decision.migrations.0012_content_editors_edit_prices")
    sales = importlib.import_module("decision.migrations.0014_sales_group")
    for _ in range(2):
        migration.create_content_editors(apps, schema_editor)
        caveats.grant(apps, schema_editor)
        prices.grant(apps, schema_editor)
        sales.grant(apps, schema_editor)
    group = Group.objects.get(name="Content editors")
    assert set(group.permissions.values_list("codename", flat=True)) == _role_codenames()

    caveats.revoke(apps, schema_editor)
    assert not group.permissions.filter(codename__endswith="_caveat").exists()
    prices.revoke(apps, schema_editor)
    for model in ("plan", "price", "node"):
        assert not group.permissions.filter(codename__endswith=f"_{model}").exists()

    migration.delete_content_editors(apps, schema_editor)
    assert not Group.objects.filter(name="Content editors").exists()


def test_content_editor_edits_a_comparison(content_editor):
    comparison = load_data(comparison_data())
    index = content_editor.get(reverse("admin:index"))
    assert index.status_code == 200
    assert {app["app_label"] for app in index.context["app_list"]} == {"decision"}
    changelist = content_editor.get(reverse("admin:decision_comparison_changelist"))
    assert changelist.status_code == 200

    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(content_editor, url)
    data["title"] = "Edited by a content editor"
    response = content_editor.post(url, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *[fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    ]
    comparison.refresh_from_db()
    assert comparison.title == "Edited by a content editor"


@pytest.mark.parametrize(
    "url_name",
    ["admin:auth_user_changelist", "admin:auth_group_changelist", "admin:auth_user_add"],
)
def test_content_editor_cannot_open_users_or_groups(content_editor, url_name):
    assert content_editor.get(reverse(url_name)).status_code == 403


def test_content_editor_cannot_add_a_user(content_editor):
    data = {"username": "intruder", "password1": PASSWORD, "password2": PASSWORD}
    response = content_editor.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 403
    assert not User.objects.filter(username="intruder").exists()


def test_content_editor_views_a_result_but_cannot_change_or_delete_it(content_editor):
    comparison = load_data(comparison_data())
    result = create_result(comparison_content(comparison.slug), FAVOUR_OPTION_2)

    assert content_editor.get(reverse("admin:decision_result_changelist")).status_code == 200
    change_url = reverse("admin:decision_result_change", args=[result.pk])
    page = content_editor.get(change_url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.content.decode()
    assert content_editor.post(change_url, {"outcome": "option-1"}).status_code == 403

    delete_url = reverse("admin:decision_result_delete", args=[result.pk])
    assert content_editor.get(delete_url).status_code == 403
    assert content_editor.post(delete_url, {"post": "yes"}).status_code == 403
    result.refresh_from_db()
    assert result.outcome == "option-2"


def _admin_urls(comparison: Comparison) -> list[str]:
    urls = [
        reverse("admin:index"),
        reverse("admin:decision_comparison_change", args=[comparison.pk]),
    ]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    return urls


def test_anonymous_visitors_are_sent_to_sign_in_from_every_admin_url(client):
    comparison = load_data(comparison_data())
    urls = _admin_urls(comparison)
    assert len(urls) > 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{reverse('admin:login')}?next="), url
