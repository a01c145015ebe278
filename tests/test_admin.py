"""Staff edit content in admin; everyone else is kept out."""

import io
import json

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse

from decision.content.engine_data import engine_model
from decision.engine import recommend
from decision.models import Assessment, Caveat, Choice, Dimension, Option, Question, Scenario
from decision.presenters import outcome_name
from decision.services import comparison_content
from tests.factories import PARTS, comparison_data, load_data, load_flagship, with_parts

pytestmark = pytest.mark.django_db

# Three informative answers (the engine needs three) that together favour the second option.
FAVOUR_OPTION_2 = {
    "question-1": "favour-option-1",
    "question-2": "favour-option-2",
    "question-3": "favour-option-2",
}


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def _inline_post_data(client, url):
    """The admin change form's current values, as the browser would post them back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, dict):  # a JSON field, as its textarea shows it
            value = json.dumps(value)
        data[name] = "" if value is None else value
        if field.show_hidden_initial:  # a field with a callable default: its initial rides along
            data[form.add_initial_prefix(name)] = data[name]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form.initial.get(name, inline_form.fields[name].initial)
                if hasattr(value, "pk"):
                    value = value.pk
                elif isinstance(value, list) and all(hasattr(v, "pk") for v in value):
                    value = [v.pk for v in value]
                elif isinstance(value, dict | list):
                    value = json.dumps(value)
                data[inline_form.add_prefix(name)] = "" if value is None else value
    return {key: value for key, value in data.items() if value is not False}


def test_staff_changes_a_winner_and_the_page_shows_it(staff):
    comparison = load_flagship()
    dimension = comparison.dimensions.get(slug="operational-overhead")
    kubernetes = comparison.options.get(slug="kubernetes")
    assert dimension.winner.slug == "serverless"

    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    index = list(comparison.dimensions.all()).index(dimension)
    data[f"dimensions-{index}-winner"] = kubernetes.pk
    data[f"dimensions-{index}-assessment_{kubernetes.pk}"] = "Much easier than you think."
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        *[fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    ]

    dimension.refresh_from_db()
    assert dimension.winner == kubernetes
    assert Assessment.objects.get(dimension=dimension, option=kubernetes).text == (
        "Much easier than you think."
    )
    row = (
        staff.get("/kubernetes-vs-serverless/")
        .content.decode()
        .split('id="dimension-operational-overhead"')[1]
        .split("</tr>")[0]
    )
    assert "Much easier than you think." in row
    assert '<span class="tag tag--winner">Kubernetes</span>' in row


def test_winner_from_another_comparison_is_rejected(staff):
    load_data(comparison_data("first"))
    other = load_data(comparison_data("second"))
    dimension = Dimension.objects.get(comparison__slug="first", slug="dimension-1")
    foreign = Option.objects.get(comparison=other, slug="option-1")

    url = reverse("admin:decision_dimension_change", args=[dimension.pk])
    data = _inline_post_data(staff, url)
    data["winner"] = foreign.pk
    response = staff.post(url, data)

    assert response.status_code == 200
    # Only this comparison's options are offered, so the other one is not a valid choice.
    assert "Select a valid choice" in response.content.decode()
    dimension.refresh_from_db()
    assert dimension.winner.comparison.slug == "first"


def test_comparison_change_page_offers_view_on_site(staff):
    comparison = load_data(comparison_data())
    html = staff.get(reverse("admin:decision_comparison_change", args=[comparison.pk])).content
    assert b'href="/admin/r/' in html  # Django's "View on site" redirect
    content_type = ContentType.objects.get_for_model(comparison)
    response = staff.get(reverse("admin:view_on_site", args=[content_type.pk, comparison.pk]))
    assert response["Location"].endswith("/demo/")


@pytest.mark.parametrize("name", ["comparison", "option", "dimension", "faqentry", "criterion"])
def test_every_content_list_opens_for_staff(staff, name):
    load_data(comparison_data())
    assert staff.get(reverse(f"admin:decision_{name}_changelist")).status_code == 200


def test_non_staff_user_is_refused(client):
    comparison = load_data(comparison_data())
    user = get_user_model().objects.create_user("visitor", password="pw")
    client.force_login(user)
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.post(url, {"title": "Hijacked"}).status_code == 302
    comparison.refresh_from_db()
    assert comparison.title == "Comparison demo"


def test_a_scenario_flipping_edit_is_refused_then_saved_with_the_tick(staff):
    comparison = load_flagship()
    scenario = comparison.scenarios.filter(outcome="serverless").first()
    question, choice = next(iter(scenario.answers.items()))
    target = comparison.questions.get(slug=question).choices.get(slug=choice)
    before = {w.pk: w.weight for w in target.weights.all()}

    url = reverse("admin:decision_choice_change", args=[target.pk])
    data = _inline_post_data(staff, url)
    data["dimensions"] = [d.pk for d in target.dimensions.all()]
    data["criteria"] = [c.pk for c in target.criteria.all()]
    weights = list(target.weights.select_related("option"))
    for index, weight in enumerate(weights):
        data[f"weights-{index}-weight"] = 10 if weight.option.slug == "kubernetes" else -10
    response = staff.post(url, data)

    # Refused: the page names the scenario and both outcomes, and nothing is saved.
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Scenario “{scenario.name}”" in page
    assert "expected Serverless, now gives " in page
    assert 'name="_update_scenarios"' in page
    assert {w.pk: w.weight for w in target.weights.all()} == before
    scenario.refresh_from_db()
    assert scenario.outcome == "serverless"

    # With the tick, the edit and the scenario's new expected outcome are saved together.
    response = staff.post(url, {**data, "_update_scenarios": "1"})
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.outcome != "serverless"
    new_name = outcome_name(comparison_content(comparison.slug), scenario.outcome)
    assert f"expected Serverless, now gives {new_name}" in page
    assert {w.option.slug: w.weight for w in target.weights.select_related("option")} == {
        w.option.slug: (10 if w.option.slug == "kubernetes" else -10) for w in weights
    }


def test_admin_rejects_a_slug_the_fixture_format_would_refuse(staff):
    comparison = load_data(comparison_data())
    option = comparison.options.first()
    url = reverse("admin:decision_option_change", args=[option.pk])
    data = _inline_post_data(staff, url)
    data["slug"] = "Option_One"
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "Use lower-case letters, digits and single hyphens" in response.content.decode()
    option.refresh_from_db()
    assert option.slug == "option-1"


def test_staff_see_what_visitors_chose(staff, client):
    comparison = load_data(comparison_data())
    from decision.services import comparison_content, create_result

    create_result(comparison_content(comparison.slug), FAVOUR_OPTION_2)
    response = staff.get(reverse("admin:decision_result_changelist") + "?outcome=option-2")
    assert response.status_code == 200
    assert "1 result" in response.content.decode()


# --- Parts, caveats and the month a fact was checked --------------------------------------


def _exported(slug: str = "demo") -> dict:
    out = io.StringIO()
    call_command("export_content", slug, stdout=out)
    return yaml.safe_load(out.getvalue())


def _exported_question(slug: str) -> dict:
    return next(q for q in _exported()["questions"] if q["slug"] == slug)


def _errors(response) -> list:
    return [
        response.context["adminform"].form.errors,
        *[fs.formset.errors for fs in response.context["inline_admin_formsets"]],
    ]


def _checkboxes(page: str, name: str) -> list[str]:
    """The values of the checkboxes called `name`, in page order."""
    return [
        chunk.split('value="', 1)[1].split('"', 1)[0]
        for chunk in page.split("<input")[1:]
        if 'type="checkbox"' in chunk.split(">", 1)[0]
        and f'name="{name}"' in chunk.split(">", 1)[0]
    ]


def test_a_question_is_tied_to_parts_by_ticking_them(staff):
    comparison = load_data(with_parts(comparison_data()))
    question = comparison.questions.get(slug="question-1")
    url = reverse("admin:decision_question_change", args=[question.pk])
    page = staff.get(url).content.decode()
    assert _checkboxes(page, "parts") == list(PARTS)
    assert "Part events" in page  # each part by its label

    data = _inline_post_data(staff, url)
    data["parts"] = ["batch-jobs", "web-api"]
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and _errors(response)

    question.refresh_from_db()
    assert question.parts == ["web-api", "batch-jobs"]  # in the order the parts are asked
    assert _exported_question("question-1")["parts"] == ["web-api", "batch-jobs"]


def test_only_a_part_of_the_same_comparison_can_be_ticked(staff):
    comparison = load_data(with_parts(comparison_data()))
    load_data(modified_parts("other", ["edge-functions", "streams"]))
    question = comparison.questions.get(slug="question-1")
    url = reverse("admin:decision_question_change", args=[question.pk])
    data = _inline_post_data(staff, url)

    for foreign in ("streams", "favour-option-1"):  # the other comparison's part; not a part
        response = staff.post(url, {**data, "parts": [foreign]})
        assert response.status_code == 200
        assert "Select a valid choice" in str(response.context["adminform"].form.errors["parts"])
        question.refresh_from_db()
        assert question.parts == []


def modified_parts(slug: str, parts: list[str]) -> dict:
    data = with_parts(comparison_data(slug))
    data["questions"][0]["choices"] = [
        {"slug": part, "label": part, "why": f"It has {part}."} for part in parts
    ]
    data["questions"][-1]["parts"] = [parts[-1]]
    return data


def test_the_parts_question_offers_no_parts_of_its_own_and_stays_the_only_one(staff):
    comparison = load_data(with_parts(comparison_data()))
    parts = comparison.questions.get(slug="parts")
    page = staff.get(reverse("admin:decision_question_change", args=[parts.pk])).content.decode()
    assert _checkboxes(page, "parts") == []

    question = comparison.questions.get(slug="question-1")
    url = reverse("admin:decision_question_change", args=[question.pk])
    response = staff.post(url, {**_inline_post_data(staff, url), "multiple": "on"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "only one question may ask for the system's parts" in " ".join(errors["multiple"])
    question.refresh_from_db()
    assert question.multiple is False


def test_a_caveat_added_on_an_answer_page_is_saved_and_exported(staff):
    comparison = load_data(comparison_data())
    other = load_data(comparison_data("other"))
    choice = Choice.objects.get(
        question__comparison=comparison, question__slug="question-1", slug="favour-option-1"
    )
    url = reverse("admin:decision_choice_change", args=[choice.pk])
    page = staff.get(url).content.decode()
    assert "Caveats: what to watch for when an option is chosen despite this answer" in page

    data = _inline_post_data(staff, url)
    data["dimensions"] = [d.pk for d in choice.dimensions.all()]
    data["criteria"] = [c.pk for c in choice.criteria.all()]
    n = int(data["caveats-TOTAL_FORMS"])
    caveat = {
        f"caveats-{n}-form": "Option 2 in its long-running form",
        f"caveats-{n}-text": "Runs up to 12 hours a task.",
        f"caveats-{n}-sources": "https://example.com/limits",
        f"caveats-{n}-as_of": "2026-11",
        f"caveats-{n}-order": n + 1,
    }
    data |= {"caveats-TOTAL_FORMS": n + 1, **caveat}

    foreign = other.options.get(slug="option-2")
    response = staff.post(url, {**data, f"caveats-{n}-option": foreign.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Caveat.objects.exists()

    option = comparison.options.get(slug="option-2")
    response = staff.post(url, {**data, f"caveats-{n}-option": option.pk})
    assert response.status_code == 302, response.context and _errors(response)
    assert Caveat.objects.get().option == option
    [exported] = [
        c for c in _exported_question("question-1")["choices"] if c["slug"] == "favour-option-1"
    ]
    assert exported["caveats"] == [
        {
            "option": "option-2",
            "form": "Option 2 in its long-running form",
            "text": "Runs up to 12 hours a task.",
            "sources": ["https://example.com/limits"],
            "as_of": "2026-11",
        }
    ]
    # The question's page lists the answer's caveats and links to where they are edited.
    question_page = staff.get(
        reverse("admin:decision_question_change", args=[choice.question_id])
    ).content.decode()
    assert "Option 2: Option 2 in its long-running form" in question_page
    assert url in question_page


def test_an_answer_and_its_question_carry_sources_and_a_month(staff):
    comparison = load_data(comparison_data())
    question = comparison.questions.get(slug="question-1")
    url = reverse("admin:decision_question_change", args=[question.pk])
    data = _inline_post_data(staff, url)
    index = next(i for i in range(3) if data[f"choices-{i}-slug"] == "must-avoid")
    data |= {
        "sources": "https://example.com/quotas",
        "as_of": "2026-10",
        f"choices-{index}-sources": "https://example.com/limits\r\nhttps://example.org/more",
        f"choices-{index}-as_of": "2026-11",
    }
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and _errors(response)

    exported = _exported_question("question-1")
    assert (exported["sources"], exported["as_of"]) == (["https://example.com/quotas"], "2026-10")
    must_avoid = next(c for c in exported["choices"] if c["slug"] == "must-avoid")
    assert must_avoid["sources"] == ["https://example.com/limits", "https://example.org/more"]
    assert must_avoid["as_of"] == "2026-11"


@pytest.mark.parametrize("where", ["option", "faq", "answer", "caveat"])
def test_a_month_that_is_not_one_is_refused_at_its_field_and_nothing_is_saved(staff, where):
    comparison = load_data(comparison_data())
    before = _exported()
    prefix, url, data = _post_with_bad_month(staff, comparison, where)

    response = staff.post(url, data)

    assert response.status_code == 200
    assert "Write a year and a month, like “2026-11”." in str(_as_of_errors(response, prefix))
    assert len([e for e in _errors(response) if e and any(e)]) == 1  # that field alone
    assert _exported() == before
    assert not Caveat.objects.exists()


def _as_of_errors(response, prefix: str | None):
    """The errors shown at the as_of field of the main form, or of the inline row that has one."""
    if prefix is None:
        return response.context["adminform"].form.errors["as_of"]
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix
    )
    return next(form.errors["as_of"] for form in formset.forms if "as_of" in form.errors)


def _post_with_bad_month(staff, comparison, page):
    """(inline prefix or None, url, post data): one as_of set to "2026-13", beside a change."""
    if page == "option":
        url = reverse("admin:decision_option_change", args=[comparison.options.first().pk])
        return None, url, _inline_post_data(staff, url) | {"as_of": "2026-13", "tagline": "New."}
    if page == "faq":
        url = reverse("admin:decision_comparison_change", args=[comparison.pk])
        data = _inline_post_data(staff, url)
        data |= {"faq_entries-0-as_of": "2026-13", "faq_entries-0-answer": "Changed."}
        return "faq_entries", url, data
    question = comparison.questions.get(slug="question-1")
    if page == "answer":
        url = reverse("admin:decision_question_change", args=[question.pk])
        data = _inline_post_data(staff, url)
        return "choices", url, data | {"choices-0-as_of": "2026-13", "choices-0-why": "Changed."}
    choice = question.choices.first()
    url = reverse("admin:decision_choice_change", args=[choice.pk])
    data = _inline_post_data(staff, url)
    data |= {
        "dimensions": [d.pk for d in choice.dimensions.all()],
        "criteria": [c.pk for c in choice.criteria.all()],
        "caveats-TOTAL_FORMS": 1,
        "caveats-0-option": comparison.options.first().pk,
        "caveats-0-form": "A form",
        "caveats-0-text": "A text.",
        "caveats-0-as_of": "2026-13",
        "caveats-0-order": 1,
    }
    return "caveats", url, data


def test_the_comparison_page_edits_the_integration_advice(staff):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url) | {"integration_advice": "Connect them with a queue."}
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and _errors(response)
    assert _exported()["integration_advice"] == "Connect them with a queue."


def test_a_scenario_ticks_parts_names_its_source_and_expects_any_outcome(staff):
    data = with_parts(comparison_data())
    data["scenarios"] = [
        {
            "slug": "api",
            "name": "An API alone",
            "answers": {"parts": "web-api"},
            "outcome": "not-enough",
        }
    ]
    comparison = load_data(data)
    scenario = Scenario.objects.get(comparison=comparison)
    url = reverse("admin:decision_scenario_change", args=[scenario.pk])
    page = staff.get(url).content.decode()
    assert _checkboxes(page, "answer_parts") == ["not-sure", *PARTS]
    outcomes = staff.get(url).context["adminform"].form.fields["outcome"].choices
    assert [slug for slug, _ in outcomes] == [
        "option-1",
        "option-2",
        "combine",
        "no-fit",
        "not-enough",
    ]

    answers = {
        "parts": "web-api,events",
        "question-1": "favour-option-1",
        "question-2": "favour-option-1",
        "question-3": "favour-option-2",
    }
    expected = recommend(engine_model(comparison_content("demo")), answers).outcome
    form = _inline_post_data(staff, url) | {
        "source": "https://example.com/case-study",
        "outcome": expected,
        "answer_parts": ["events", "web-api"],
        "answer_question-1": "favour-option-1",
        "answer_question-2": "favour-option-1",
        "answer_question-3": "favour-option-2",
    }

    refused = staff.post(url, {**form, "answer_parts": ["not-sure", "events"]})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "Tick “Not sure” or the parts, not both." in str(errors["answer_parts"])

    response = staff.post(url, form)
    assert response.status_code == 302, response.context and _errors(response)
    scenario.refresh_from_db()
    assert scenario.answers == answers  # the parts in the order they are asked
    [exported] = _exported()["scenarios"]
    assert exported["source"] == "https://example.com/case-study"
    assert exported["answers"]["parts"] == "web-api,events"

    unsure = {**answers, "parts": "not-sure"}
    expected = recommend(engine_model(comparison_content("demo")), unsure).outcome
    response = staff.post(url, {**form, "answer_parts": ["not-sure"], "outcome": expected})
    assert response.status_code == 302, response.context and _errors(response)
    scenario.refresh_from_db()
    assert scenario.answers == unsure


def test_a_question_page_without_a_parts_question_says_so(staff):
    comparison = load_data(comparison_data())
    question = comparison.questions.first()
    page = staff.get(reverse("admin:decision_question_change", args=[question.pk]))
    assert "This comparison has no parts question yet" in page.content.decode()
    assert Question.objects.filter(multiple=True).count() == 0
