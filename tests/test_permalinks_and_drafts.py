"""Permalinks render from their own snapshot forever; drafts stay private until published."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from decision import services
from decision.markdown_text import escape_markdown
from decision.models import Comparison, ContentSnapshot, FaqEntry, Result
from decision.presenters import outcome_name
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data, load_flagship
from tests.test_admin import _inline_post_data

pytestmark = pytest.mark.django_db


def _result(slug="kubernetes-vs-serverless"):
    comparison = Comparison.objects.get(slug=slug)
    scenario = comparison.scenarios.first()
    answers = scenario.answers if scenario else {"question-1": "favour-option-1"}
    return create_result(comparison_content(slug), answers)


def _outcome_heading(result) -> str:
    content = comparison_content(result.comparison_slug)
    name = next(o.name for o in content.options if o.slug == result.outcome)
    return f"Choose {name}" if result.outcome != "combine" else "Use both"


def _adr_choice(result) -> str:
    """The record's line naming the outcome, as the content names it."""
    content = comparison_content(result.comparison_slug)
    ruled_out = result.recommendation.get("ruled_out", {})
    name = outcome_name(content, result.outcome, ruled_out)
    return f"Chosen option: **{escape_markdown(name)}**"


def test_a_permalink_answers_200_after_the_content_is_corrupted(client):
    load_flagship()
    result = _result()
    heading = _outcome_heading(result)
    chosen = _adr_choice(result)
    # Written around the gate, straight into the table: the kind of damage the gate prevents.
    FaqEntry.objects.update(sources="not a url")
    cache.clear()
    services.forget()

    page = client.get(result.get_absolute_url())
    assert page.status_code == 200
    assert heading in page.content.decode()
    assert "Change my answers" not in page.content.decode()  # no link into broken content
    adr = client.get(reverse("decision:result_adr", args=[result.comparison_slug, result.token]))
    assert adr.status_code == 200 and chosen in adr.content.decode()

    broken = client.get("/kubernetes-vs-serverless/")
    assert broken.status_code == 503
    assert "This comparison is being updated" in broken.content.decode()
    assert client.get("/kubernetes-vs-serverless/wizard/").status_code == 503


def test_a_permalink_outlives_its_comparison(client, staff):
    load_flagship()
    result = _result()
    heading = _outcome_heading(result)
    comparison = Comparison.objects.get()

    delete_url = reverse("admin:decision_comparison_delete", args=[comparison.pk])
    assert staff.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Comparison.objects.exists()

    page = client.get(result.get_absolute_url())
    assert page.status_code == 200
    assert heading in page.content.decode()
    assert "Start over" not in page.content.decode()
    assert Result.objects.get().comparison_id is None


def test_a_snapshot_in_the_first_format_still_renders(client):
    load_flagship()
    result = _result()
    heading = _outcome_heading(result)
    old = dict(result.snapshot)
    old.pop("version")  # the first format had none
    old["content"] = {**old["content"], "retired_key": "ignored"}
    old["content"]["faq"][0]["sources"] = ["not a url, as an old rule allowed"]
    old["recommendation"] = {
        k: v for k, v in old["recommendation"].items() if k not in {"flips", "support"}
    }
    # Stored as the first format stored it: the content and the recommendation in one place.
    ContentSnapshot.objects.filter(pk=result.content_id).update(version=1, content=old["content"])
    Result.objects.filter(pk=result.pk).update(recommendation=old["recommendation"])

    page = client.get(result.get_absolute_url())
    assert page.status_code == 200
    assert heading in page.content.decode()


def test_a_draft_is_invisible_to_visitors_and_walkable_by_staff(client, staff, django_user_model):
    load_data(comparison_data("secret"))
    Comparison.objects.filter(slug="secret").update(status=Comparison.Status.DRAFT)
    visitor = client.__class__()

    assert visitor.get("/secret/").status_code == 404
    assert visitor.get("/secret/wizard/").status_code == 404
    assert "Comparison secret" not in visitor.get("/").content.decode()

    page = staff.get("/secret/")
    assert page.status_code == 200
    assert "Draft — not public." in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    step = staff.get("/secret/wizard/")
    assert step.status_code == 200 and "Draft — not public." in step.content.decode()
    finish = staff.post(
        reverse("decision:wizard_finish", args=["secret"]),
        {"question-1": "not-sure", "question-3": "not-sure"},
    )
    assert finish.status_code == 302
    permalink = finish["Location"]
    assert "/secret/results/" in permalink

    # Publishing is an ordinary, gated save of the status.
    comparison = Comparison.objects.get(slug="secret")
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    assert staff.post(url, {**data, "status": "published"}).status_code == 302
    assert visitor.get("/secret/").status_code == 200
    assert "Comparison secret" in visitor.get("/").content.decode()

    # Unpublishing hides the comparison again, but saved results keep working.
    data = _inline_post_data(staff, url)
    assert staff.post(url, {**data, "status": "draft"}).status_code == 302
    assert visitor.get("/secret/").status_code == 404
    assert visitor.get(permalink).status_code == 200


def test_a_new_comparison_made_in_admin_starts_as_a_draft():
    assert Comparison._meta.get_field("status").default == Comparison.Status.DRAFT
