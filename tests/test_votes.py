""" "Was this right for you?": one vote per result, kept with its outcome and content version."""

import pytest
from django.test import Client
from django.urls import reverse

from decision.models import DailyCount, Vote
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


def _result(**answers_override):
    data = comparison_data()
    load_data(data)
    answers = {question["slug"]: question["choices"][0]["slug"] for question in data["questions"]}
    return create_result(comparison_content(data["slug"]), answers | answers_override)


def _url(result):
    return reverse("decision:vote", args=[result.comparison_slug, result.token])


def test_the_result_page_offers_the_vote_with_and_without_javascript(client):
    result = _result()
    html = client.get(result.get_absolute_url()).content.decode()
    url = _url(result)
    # htmx loads the form in place; without JavaScript the link opens the vote page.
    assert f'hx-get="{url}" hx-trigger="load"' in html
    assert f'<a href="{url}">' in html
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert 'name="answer" value="partly"' in page.content.decode()
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'name="csrfmiddlewaretoken"' in partial


def test_a_vote_is_stored_with_the_results_outcome_and_content_version(client, settings):
    settings.ANALYTICS_FLUSH_SECONDS = 0
    result = _result()
    response = client.post(
        _url(result),
        {"answer": "partly", "comment": "Close, but we run GPUs."},
        HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 302 and response["Location"] == _url(result) + "?sent=1"
    vote = Vote.objects.get()
    assert (vote.answer, vote.comment) == ("partly", "Close, but we run GPUs.")
    assert vote.outcome == result.outcome and vote.content_id == result.content_id
    assert vote.comparison_slug == result.comparison_slug
    count = DailyCount.objects.get(event="vote")
    assert (count.subject, count.count) == ("partly", 1)
    assert count.version == result.content.fingerprint[:12]
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you." in thanks and "<strong>Partly</strong>" in thanks
    after = client.get(_url(result)).content.decode()
    assert "<strong>Partly</strong>" in after and 'name="answer"' not in after
    assert "Thank you." not in after


def test_one_vote_per_result_the_first_stands(client):
    result = _result()
    client.post(_url(result), {"answer": "yes"})
    second = client.post(_url(result), {"answer": "no", "comment": "changed my mind"})
    assert second.status_code == 200
    assert "<strong>Yes</strong>" in second.content.decode()
    assert list(Vote.objects.values_list("answer", "comment")) == [("yes", "")]


def test_htmx_swaps_in_the_thanks(client):
    result = _result()
    response = client.post(_url(result), {"answer": "no"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Thank you" in html and "<strong>No</strong>" in html


@pytest.mark.parametrize(
    "data, message",
    [({}, "Please pick yes, partly or no."), ({"answer": "maybe"}, "Select a valid choice")],
)
def test_a_bad_vote_is_refused_and_nothing_is_kept(client, data, message):
    result = _result()
    response = client.post(_url(result), data | {"comment": "kept in the box"})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "kept in the box" in html
    assert not Vote.objects.exists() and not DailyCount.objects.exists()


def test_the_honeypot_drops_a_scripted_vote(client):
    result = _result()
    response = client.post(_url(result), {"answer": "yes", "website": "x"})
    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_votes_are_limited_per_client(client, settings):
    settings.FORMS_PER_CLIENT = 1
    first, second = _result(), None
    client.post(_url(first), {"answer": "yes"})
    data = comparison_data()
    answers = {q["slug"]: q["choices"][-1]["slug"] for q in data["questions"]}
    second = create_result(comparison_content(data["slug"]), answers)
    response = client.post(_url(second), {"answer": "no"})
    assert response.status_code == 429 and "Try again in about" in response.content.decode()
    assert Vote.objects.count() == 1


def test_an_unknown_result_takes_no_vote(client):
    result = _result()
    url = reverse("decision:vote", args=[result.comparison_slug, "x" * 20])
    assert client.post(url, {"answer": "yes"}).status_code == 404
    assert not Vote.objects.exists()


def test_a_vote_needs_its_csrf_token():
    result = _result()
    response = Client(enforce_csrf_checks=True).post(_url(result), {"answer": "yes"})
    assert response.status_code == 403 and not Vote.objects.exists()
