"""The scoping-call form: a lead kept with its result, the team told after commit, scripts and
floods kept out, and nothing kept when anything fails."""

import re
import time
from pathlib import Path

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decision.lead_forms import SHOWN_SALT, consent_text
from decision.models import DailyCount, Lead
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data, modified

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
OFFER = {"heading": "Book a 30-minute call with Ana", "text": "We go through your answers."}
TEAM = "sales@example.com"


@pytest.fixture(autouse=True)
def _notify(settings):
    settings.LEAD_NOTIFY_EMAIL = TEAM
    settings.LEAD_MIN_FILL_SECONDS = 3


def _load(**changes):
    data = comparison_data()
    data["call_offer"] = dict(OFFER)
    data.update(changes)
    load_data(data)
    return data


def _result(data):
    answers = {question["slug"]: question["choices"][0]["slug"] for question in data["questions"]}
    return create_result(comparison_content(data["slug"]), answers)


def _shown(seconds_ago: float = 60) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=SHOWN_SALT)


def _post(client, slug, **fields):
    data = {
        "name": "Ana Lima",
        "email": "ana@example.com",
        "company": "Lima Logistics",
        "message": "We run a busy API and nightly jobs.",
        "consent": "on",
        "shown": _shown(),
        "website": "",
        **fields,
    }
    headers = {k: data.pop(k) for k in list(data) if k.startswith("HTTP_")}
    if callable(data["shown"]):
        data["shown"] = data["shown"]()
    return client.post(
        reverse("decision:call", args=[slug]),
        {k: v for k, v in data.items() if v is not None},
        **headers,
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_offer_is_content_on_the_comparison_and_on_each_result(client):
    data = _load()
    result = _result(data)
    comparison = client.get(reverse("decision:comparison", args=[data["slug"]])).content.decode()
    assert OFFER["heading"] in comparison and OFFER["text"] in comparison
    assert f'href="{reverse("decision:call", args=[data["slug"]])}"' in comparison
    page = client.get(result.get_absolute_url()).content.decode()
    assert OFFER["heading"] in page
    assert f"{reverse('decision:call', args=[data['slug']])}?result={result.token}" in page


def test_no_offer_means_no_form_and_no_link(client):
    data = comparison_data()
    load_data(data)
    result = _result(data)
    assert client.get(reverse("decision:call", args=[data["slug"]])).status_code == 404
    assert "/call/" not in client.get(result.get_absolute_url()).content.decode()
    assert _post(client, data["slug"]).status_code == 404
    assert not Lead.objects.exists()


def test_a_lead_is_stored_with_its_result_and_the_team_emailed_after_commit(
    client, django_capture_on_commit_callbacks
):
    data = _load()
    result = _result(data)
    form = client.get(reverse("decision:call", args=[data["slug"]]), {"result": result.token})
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"]
    assert f'value="{result.token}"' in form.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(client, data["slug"], result=result.token)
    # Stored, but nothing sent until the transaction commits.
    lead = Lead.objects.get()
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?sent=1&result={result.token}")

    assert (lead.name, lead.email, lead.company) == (
        "Ana Lima",
        "ana@example.com",
        "Lima Logistics",
    )
    assert lead.result == result and lead.comparison_slug == data["slug"]
    assert lead.status == Lead.Status.NEW
    assert lead.consent == consent_text()
    (email,) = mail.outbox
    assert email.to == [TEAM] and email.reply_to == ["ana@example.com"]
    assert "Ana Lima (Lima Logistics)" in email.subject
    assert result.outcome in email.body
    assert result.get_absolute_url() in email.body
    assert reverse("admin:decision_lead_change", args=[lead.pk]) in email.body

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Back to your recommendation" in thanks.content.decode()


def test_no_email_is_sent_when_the_lead_is_rolled_back(client, django_capture_on_commit_callbacks):
    data = _load()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, data["slug"])
    assert len(mail.outbox) == 1
    # A lead deleted before the task runs sends nothing.
    from decision.notifications import notify_lead

    lead = Lead.objects.get()
    lead.delete()
    notify_lead.enqueue(lead.pk)
    assert len(mail.outbox) == 1


def test_htmx_swaps_in_the_confirmation(client, django_capture_on_commit_callbacks):
    data = _load()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, data["slug"], HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "your request is with us" in html
    assert Lead.objects.count() == 1 and len(mail.outbox) == 1


def test_a_lead_from_the_comparison_page_has_no_result(client, django_capture_on_commit_callbacks):
    data = _load()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, data["slug"], result="not-a-real-token-at-all")
    lead = Lead.objects.get()
    assert lead.result is None
    assert "without a result" in mail.outbox[0].body


@pytest.mark.parametrize(
    "fields",
    [
        {"website": "http://spam.example"},  # the honeypot filled in
        {"shown": lambda: _shown(seconds_ago=0.5)},  # faster than a person
        {"shown": "forged"},  # a stamp it did not get from us
        {"shown": None},  # no stamp at all
    ],
    ids=["honeypot", "too-quick", "forged-stamp", "no-stamp"],
)
def test_a_script_is_dropped_silently(client, fields, django_capture_on_commit_callbacks):
    data = _load()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(client, data["slug"], **fields)
    # Answered as if sent, so it learns nothing: the same redirect to the confirmation.
    assert response.status_code == 302 and "sent=1" in response["Location"]
    assert not Lead.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_the_honeypot_is_hidden_by_a_class_not_an_inline_style(client):
    data = _load()
    html = client.get(reverse("decision:call", args=[data["slug"]])).content.decode()
    trap = re.search(r'<p class="trap" aria-hidden="true">.*?</p>', html, re.S).group(0)
    assert 'name="website"' in trap and 'tabindex="-1"' in trap
    assert "style=" not in html
    css = Path("static/css/site.css").read_text()
    assert re.search(r"\.trap \{[^}]*left: -10000px", css)


def test_bad_fields_keep_what_was_typed_and_store_nothing(client):
    data = _load()
    response = _post(client, data["slug"], email="not an email", consent=None, name="  ")
    assert response.status_code == 422
    html = response.content.decode()
    assert "That does not look like an email address" in html
    assert "Please agree" in html and "Please tell us your name" in html
    assert 'value="Lima Logistics"' in html  # what was right is kept
    assert html.count('aria-invalid="true"') == 3
    assert not Lead.objects.exists() and mail.outbox == []


def test_line_breaks_cannot_reach_the_email_headers(client, django_capture_on_commit_callbacks):
    data = _load()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, data["slug"], name="Ana\r\nBcc: victim@example.com", company="X\nY")
    lead = Lead.objects.get()
    assert lead.name == "Ana Bcc: victim@example.com" and lead.company == "X Y"
    (email,) = mail.outbox
    assert email.bcc == [] and "\n" not in email.subject


def test_too_many_leads_from_one_client_get_the_sites_429_page(client, settings):
    settings.FORMS_PER_CLIENT = 2
    data = _load()
    for n in range(2):
        assert _post(client, data["slug"], name=f"Visitor {n}").status_code == 302
    response = _post(client, data["slug"], name="One too many")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "<html" in html and "Please wait a little" in html
    assert f"{settings.FORMS_PER_CLIENT} requests every" in _text(html)
    assert not Lead.objects.filter(name="One too many").exists()
    assert Lead.objects.count() == 2


def test_the_limit_follows_the_trusted_proxy_header(client, settings):
    settings.FORMS_PER_CLIENT = 1
    settings.CLIENT_IP_HEADERS = ("HTTP_X_REAL_IP", "REMOTE_ADDR")
    data = _load()
    assert _post(client, data["slug"], HTTP_X_REAL_IP="203.0.113.7").status_code == 302
    assert _post(client, data["slug"], HTTP_X_REAL_IP="203.0.113.7").status_code == 429
    # Another client behind the same proxy still gets through.
    assert _post(client, data["slug"], HTTP_X_REAL_IP="203.0.113.8").status_code == 302
    assert Lead.objects.count() == 2


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing():
    from django.test import Client

    data = _load()
    response = _post(Client(enforce_csrf_checks=True), data["slug"])
    assert response.status_code == 403
    assert not Lead.objects.exists() and mail.outbox == []


def test_the_form_works_with_the_csrf_token_it_was_given():
    from django.test import Client

    data = _load()
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("decision:call", args=[data["slug"]])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    shown = re.search(r'name="shown" value="([^"]+)"', page).group(1)
    stamp = signing.loads(shown, salt=SHOWN_SALT)
    assert abs(stamp - time.time()) < 60
    response = _post(client, data["slug"], csrfmiddlewaretoken=token)
    assert response.status_code == 302 and Lead.objects.count() == 1


def test_a_lead_counts_in_analytics_for_people_not_for_bots(client, settings):
    settings.ANALYTICS_FLUSH_SECONDS = 0
    data = _load()
    _post(client, data["slug"], HTTP_USER_AGENT=BROWSER)
    _post(client, data["slug"], HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert Lead.objects.count() == 2  # a bot that passes the checks is still a lead
    row = DailyCount.objects.get(event="lead")
    assert row.count == 1 and row.comparison_slug == data["slug"]


def test_anonymous_visitors_reach_no_lead(client):
    data = _load()
    _post(client, data["slug"])
    lead = Lead.objects.get()
    for url in (
        reverse("admin:decision_lead_changelist"),
        reverse("admin:decision_lead_change", args=[lead.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # Nothing on the public pages shows a lead either.
    with CaptureQueriesContext(connection):
        page = client.get(reverse("decision:call", args=[data["slug"]]) + "?sent=1")
    assert "ana@example.com" not in page.content.decode()


def test_a_draft_comparison_takes_no_leads_from_visitors(client):
    data = _load()
    load_data(modified(data, lambda d: d.update(status="draft")))
    assert client.get(reverse("decision:call", args=[data["slug"]])).status_code == 404
    assert _post(client, data["slug"]).status_code == 404
    assert not Lead.objects.exists()


def test_a_person_who_sends_an_empty_form_at_once_sees_what_is_missing(client):
    data = _load()
    response = _post(
        client, data["slug"], name="", email="", consent=None, shown=lambda: _shown(0.2)
    )
    assert response.status_code == 422
    assert "Please tell us your name." in response.content.decode()
    assert not Lead.objects.exists()
