"""Every admin write passes one gate: refused edits write nothing and say why, where."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from reversion.models import Version

from decision.models import (
    Caveat,
    Choice,
    ChoiceWeight,
    Comparison,
    FaqEntry,
    Option,
    Question,
    Scenario,
)
from tests.factories import comparison_data, load_data, load_flagship, with_parts
from tests.test_admin import _inline_post_data

pytestmark = pytest.mark.django_db


def _faq_index(data: dict, question: str) -> int:
    prefix = next(k for k, v in data.items() if k.endswith("-question") and v == question)
    return int(prefix.split("-")[1])


def test_a_source_that_is_not_a_url_is_refused_at_its_field_and_nothing_is_saved(staff, client):
    comparison = load_data(comparison_data())
    entry = comparison.faq_entries.first()
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    index = _faq_index(data, entry.question)
    data[f"faq_entries-{index}-sources"] = "https://example.com/ok\r\nnot a url"
    data[f"faq_entries-{index}-answer"] = "A changed answer."

    response = staff.post(url, data)

    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "faq_entries"
    )
    assert "“not a url” is not a web address" in str(formset.forms[index].errors["sources"])
    entry.refresh_from_db()
    assert entry.answer == "Answer 1." and entry.sources == ""
    assert client.get(f"/{comparison.slug}/").status_code == 200


def test_a_schema_rule_the_models_cannot_see_is_shown_on_its_field(staff):
    comparison = load_data(comparison_data(faq=2))
    first, second = comparison.faq_entries.all()
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    data[f"faq_entries-{_faq_index(data, second.question)}-question"] = first.question

    response = staff.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"duplicate FAQ question &#x27;{first.question}&#x27;" in page
    second.refresh_from_db()
    assert second.question != first.question


def test_deleting_a_choice_others_depend_on_is_refused_with_links(staff):
    comparison = load_flagship()
    follow_up = comparison.questions.exclude(show_if=None).select_related("show_if").first()
    choice = follow_up.show_if
    url = reverse("admin:decision_choice_delete", args=[choice.pk])

    page = staff.get(url).content.decode()
    question_url = reverse("admin:decision_question_change", args=[follow_up.pk])
    assert f'<a href="{question_url}">' in page
    assert "is asked only after this answer" in page

    response = staff.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Choice.objects.filter(pk=choice.pk).exists()
    follow_up.refresh_from_db()
    assert follow_up.show_if_id == choice.pk


def test_deleting_a_choice_from_its_question_page_is_refused_too(staff):
    comparison = load_flagship()
    follow_up = comparison.questions.exclude(show_if=None).select_related("show_if").first()
    choice = follow_up.show_if
    url = reverse("admin:decision_question_change", args=[choice.question_id])
    data = _inline_post_data(staff, url)
    index = next(
        int(k.split("-")[1]) for k, v in data.items() if k.endswith("-slug") and v == choice.slug
    )
    data[f"choices-{index}-DELETE"] = "on"

    response = staff.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be deleted while other content refers to it" in page
    assert follow_up.prompt in page
    assert Choice.objects.filter(pk=choice.pk).exists()


def test_deleting_an_option_lists_what_refers_to_it(staff):
    comparison = load_flagship()
    option = comparison.options.get(slug="kubernetes")
    page = staff.get(reverse("admin:decision_option_delete", args=[option.pk])).content.decode()
    won = option.dimensions_won.first()
    assert won.name in page and "names it the winner" in page
    assert "expects it as the outcome" in page
    staff.post(reverse("admin:decision_option_delete", args=[option.pk]), {"post": "yes"})
    assert Option.objects.filter(pk=option.pk).exists()
    assert option.dimensions_won.count() == comparison.dimensions.filter(winner=option).count() > 0


def test_foreign_key_selects_carry_no_add_change_or_delete_buttons(staff):
    comparison = load_flagship()
    page = staff.get(reverse("admin:decision_comparison_change", args=[comparison.pk]))
    html = page.content.decode()
    assert "related-widget-wrapper-link" not in html
    assert "delete_related" not in html


def test_an_unchanged_save_records_nothing(staff):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    # Browsers send textareas with CR LF line endings.
    data = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in data.items()}
    comparison.refresh_from_db()
    before = comparison.updated_at
    versions = Version.objects.count()

    assert staff.post(url, data).status_code == 302

    comparison.refresh_from_db()
    assert comparison.updated_at == before
    assert not LogEntry.objects.exists()
    assert Version.objects.count() == versions


def test_revert_restores_the_whole_comparison_and_the_public_page(staff, client):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    original = comparison.intro
    assert staff.post(url, {**data, "intro": "First edit."}).status_code == 302
    first = Version.objects.get_for_object(comparison).first()
    data = _inline_post_data(staff, url)
    index = _faq_index(data, "Question 1?")
    data[f"faq_entries-{index}-answer"] = "Second edit of the answer."
    assert staff.post(url, {**data, "intro": "Second edit."}).status_code == 302
    assert "Second edit of the answer." in client.get("/demo/").content.decode()

    history = staff.get(reverse("admin:decision_comparison_history", args=[comparison.pk]))
    assert "Compare with today" in history.content.decode()
    diff = staff.get(
        reverse("admin:decision_comparison_diff", args=[comparison.pk, first.pk])
    ).content.decode()
    assert "Second edit of the answer." in diff and "First edit." in diff

    revision_url = reverse("admin:decision_comparison_revision", args=[comparison.pk, first.pk])
    form = _inline_post_data(staff, revision_url)
    assert staff.post(revision_url, form).status_code == 302

    page = client.get("/demo/").content.decode()
    assert "First edit." in page and original not in page
    assert "Answer 1." in page and "Second edit of the answer." not in page


def test_load_content_is_one_revision_named_after_its_file(tmp_path):
    from django.core.management import call_command

    from tests.factories import FLAGSHIP

    call_command("load_content", str(FLAGSHIP))
    comparison = Comparison.objects.get()
    versions = Version.objects.get_for_object(comparison)
    assert versions.count() == 1
    assert versions.get().revision.get_comment() == f"Loaded from {FLAGSHIP}"
    call_command("load_content", str(FLAGSHIP))  # unchanged: nothing new recorded
    assert Version.objects.get_for_object(comparison).count() == 1


def test_load_content_refuses_a_file_whose_scenario_fails(tmp_path):
    from django.core.management import CommandError, call_command

    from tests.factories import write_fixture

    data = comparison_data()
    data["scenarios"] = [
        {
            "slug": "wrong",
            "name": "Wrong",
            "answers": {
                "question-1": "favour-option-1",
                "question-2": "favour-option-1",
                "question-3": "favour-option-1",
            },
            "outcome": "option-2",
        }
    ]
    path = write_fixture(tmp_path, data)
    with pytest.raises(CommandError) as caught:
        call_command("load_content", str(path))
    assert f"{path}: scenarios[0].outcome: expected Option 2, now gives Option 1" in str(
        caught.value
    )
    assert not Comparison.objects.exists()
    assert not Question.objects.exists()


def test_faq_count_unchanged_after_a_refused_add(staff):
    comparison = load_data(comparison_data(faq=1))
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    total = int(data["faq_entries-TOTAL_FORMS"])
    data["faq_entries-TOTAL_FORMS"] = total + 1
    data |= {
        f"faq_entries-{total}-question": "New?",
        f"faq_entries-{total}-answer": "Yes.",
        f"faq_entries-{total}-sources": "www.example.com",
        f"faq_entries-{total}-order": total + 1,
    }
    response = staff.post(url, data)
    assert response.status_code == 200
    assert FaqEntry.objects.filter(comparison=comparison).count() == 1


def test_a_delete_is_recorded_in_the_comparisons_history(staff):
    comparison = load_data(comparison_data(faq=2))
    entry = comparison.faq_entries.last()
    response = staff.post(
        reverse("admin:decision_faqentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not FaqEntry.objects.filter(pk=entry.pk).exists()
    latest = Version.objects.get_for_object(comparison).first()
    assert latest.revision.get_comment() == f"Deleted FAQ entry “{entry.question}”."
    assert latest.revision.user.username == "editor"


# Found in review: each of these answered 500, wrote a phantom revision, or could not be done.


def test_a_question_without_answers_is_refused_with_a_message(staff):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_question_add")
    data = _inline_post_data(staff, url)
    data |= {"comparison": comparison.pk, "slug": "budget", "prompt": "Budget?"}
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "needs at least two real choices" in response.content.decode()
    assert not Question.objects.filter(slug="budget").exists()


def test_an_option_is_added_with_its_assessments_from_its_comparison(staff, client):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_option_add") + f"?comparison={comparison.pk}"
    data = _inline_post_data(staff, url)
    data |= {
        "comparison": comparison.pk,
        "slug": "option-3",
        "name": "Option Three",
        "tagline": "The third way.",
        "typical_cost": "Free",
        "time_to_productive": "A day",
    }
    assessments = [k for k in data if k.startswith("assessment_")]
    assert len(assessments) == comparison.dimensions.count()

    refused = staff.post(url, data)  # every assessment left empty
    assert refused.status_code == 200
    assert not Option.objects.filter(slug="option-3").exists()

    response = staff.post(url, {**data, **{k: f"Fares well ({k})." for k in assessments}})
    assert response.status_code == 302
    assert "Option Three" in client.get(f"/{comparison.slug}/").content.decode()


def test_a_delete_and_a_new_reference_to_it_in_one_save_are_refused(staff):
    comparison = load_data(comparison_data())
    first, _, third = comparison.questions.all()
    target = first.choices.first()
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    index = {data[f"questions-{i}-slug"]: i for i in range(int(data["questions-TOTAL_FORMS"]))}
    data[f"questions-{index[first.slug]}-DELETE"] = "on"
    data[f"questions-{index[third.slug]}-show_if"] = target.pk

    response = staff.post(url, data)

    assert response.status_code == 200
    assert Question.objects.filter(pk=first.pk).exists()
    third.refresh_from_db()
    assert third.show_if_id is None


def test_a_refused_save_records_no_revision(staff):
    comparison = load_data(comparison_data(faq=2))
    first, second = comparison.faq_entries.all()
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    versions = Version.objects.count()
    data[f"faq_entries-{_faq_index(data, second.question)}-question"] = first.question
    assert staff.post(url, data).status_code == 200
    assert Version.objects.count() == versions


def test_restoring_a_version_undoes_a_reference_to_a_later_answer(staff, client):
    comparison = load_data(comparison_data())
    follow_up = comparison.questions.exclude(show_if=None).get()
    before = follow_up.show_if_id
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    assert staff.post(url, {**_inline_post_data(staff, url), "intro": "Edited."}).status_code == 302
    first = Version.objects.get_for_object(comparison).first()
    question = comparison.questions.get(slug="question-1")
    question_url = reverse("admin:decision_question_change", args=[question.pk])
    data = _inline_post_data(staff, question_url)
    n = int(data["choices-TOTAL_FORMS"])
    data |= {
        "choices-TOTAL_FORMS": n + 1,
        f"choices-{n}-slug": "later",
        f"choices-{n}-label": "A later answer",
        f"choices-{n}-why": "Added after the first version.",
        f"choices-{n}-order": n + 1,
    }
    assert staff.post(question_url, data).status_code == 302
    later = Choice.objects.get(slug="later")
    follow_url = reverse("admin:decision_question_change", args=[follow_up.pk])
    data = _inline_post_data(staff, follow_url)
    assert staff.post(follow_url, {**data, "show_if": later.pk}).status_code == 302

    diff = reverse("admin:decision_comparison_diff", args=[comparison.pk, first.pk])
    assert "later" in staff.get(diff).content.decode()
    revision_url = reverse("admin:decision_comparison_revision", args=[comparison.pk, first.pk])
    assert staff.post(revision_url, _inline_post_data(staff, revision_url)).status_code == 302

    follow_up.refresh_from_db()
    assert follow_up.show_if_id == before
    assert not Choice.objects.filter(slug="later").exists()
    assert client.get(f"/{comparison.slug}/wizard/").status_code == 200


def test_a_weight_cannot_name_another_comparisons_option(staff):
    comparison = load_data(comparison_data("first"))
    other = load_data(comparison_data("second"))
    choice = Choice.objects.filter(question__comparison=comparison).first()
    url = reverse("admin:decision_choice_change", args=[choice.pk])
    data = _inline_post_data(staff, url)
    data["weights-0-option"] = other.options.get(slug="option-1").pk
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ChoiceWeight.objects.filter(choice=choice, option__comparison=other).exists()


def test_a_scenario_added_on_the_comparison_page_needs_no_json(staff):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    data = _inline_post_data(staff, url)
    n = int(data["scenarios-TOTAL_FORMS"])
    data |= {
        "scenarios-TOTAL_FORMS": n + 1,
        f"scenarios-{n}-slug": "no-answers",
        f"scenarios-{n}-name": "Nobody answered",
        f"scenarios-{n}-outcome": "not-enough",  # nothing answered: nothing to go on
    }
    assert staff.post(url, data).status_code == 302
    assert comparison.scenarios.get(slug="no-answers").answers == {}
    response = staff.post(
        url,
        _inline_post_data(staff, url)
        | {
            "scenarios-TOTAL_FORMS": n + 2,
            f"scenarios-{n + 1}-slug": "wrong",
            f"scenarios-{n + 1}-name": "Expects the wrong outcome",
            f"scenarios-{n + 1}-outcome": "option-2",
        },
    )
    assert response.status_code == 200
    assert "expected Option 2, now gives Not enough to go on" in response.content.decode()
    assert not comparison.scenarios.filter(slug="wrong").exists()


def test_load_content_renames_an_answer_a_later_question_depends_on(tmp_path):
    from django.core.management import call_command

    from tests.factories import write_fixture

    data = comparison_data()
    load_data(data)
    old = data["questions"][1]["show_if"]["choice"]
    for choice in data["questions"][0]["choices"]:
        if choice["slug"] == old:
            choice["slug"] = "renamed"
    data["questions"][1]["show_if"]["choice"] = "renamed"
    call_command("load_content", str(write_fixture(tmp_path, data)))
    follow_up = Question.objects.get(slug=data["questions"][1]["slug"])
    assert follow_up.show_if.slug == "renamed"


# --- Parts and caveats --------------------------------------------------------------------


def _with_a_scenario_on_events() -> Comparison:
    data = with_parts(comparison_data())  # question-3 is about the batch jobs
    data["scenarios"] = [
        {
            "slug": "events-alone",
            "name": "Events alone",
            "answers": {"parts": "events"},
            "outcome": "not-enough",
        }
    ]
    return load_data(data)


@pytest.mark.parametrize(
    "part, dependent, how",
    [("batch-jobs", "question-3", "is about this part"), ("events", "events-alone", "uses this")],
)
def test_deleting_a_part_others_name_is_refused_with_them_listed(staff, part, dependent, how):
    comparison = _with_a_scenario_on_events()
    choice = Choice.objects.get(question__comparison=comparison, question__slug="parts", slug=part)
    row = (
        Scenario.objects.get(slug=dependent)
        if dependent == "events-alone"
        else Question.objects.get(comparison=comparison, slug=dependent)
    )
    url = reverse("admin:decision_choice_delete", args=[choice.pk])

    page = staff.get(url).content.decode()
    row_url = reverse(f"admin:decision_{row._meta.model_name}_change", args=[row.pk])
    assert f'<a href="{row_url}">' in page
    assert how in page

    response = staff.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Choice.objects.filter(pk=choice.pk).exists()

    # From the parts question's page too.
    question_url = reverse("admin:decision_question_change", args=[choice.question_id])
    data = _inline_post_data(staff, question_url)
    index = next(int(k.split("-")[1]) for k, v in data.items() if k.endswith("-slug") and v == part)
    response = staff.post(question_url, {**data, f"choices-{index}-DELETE": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be deleted while other content refers to it" in page
    assert str(row) in page
    assert Choice.objects.filter(pk=choice.pk).exists()


def test_a_part_nothing_names_can_be_deleted(staff):
    comparison = _with_a_scenario_on_events()
    choice = Choice.objects.get(question__slug="parts", slug="web-api")
    response = staff.post(
        reverse("admin:decision_choice_delete", args=[choice.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert [c.slug for c in comparison.questions.get(slug="parts").choices.all()] == [
        "events",
        "batch-jobs",
    ]


def test_a_problem_the_gate_finds_in_a_caveat_is_shown_on_its_answer(staff):
    comparison = load_data(comparison_data())
    question = comparison.questions.get(slug="question-1")
    choice = question.choices.get(slug="favour-option-1")
    # Written around admin, as a raw database edit would be: admin's own field refuses it.
    Caveat.objects.create(
        choice=choice,
        option=comparison.options.get(slug="option-2"),
        form="The long-running form",
        text="Runs for hours.",
        as_of="2026-13",
    )
    url = reverse("admin:decision_question_change", args=[question.pk])
    data = _inline_post_data(staff, url)
    index = next(i for i in range(3) if data[f"choices-{i}-slug"] == "favour-option-1")
    data[f"choices-{index}-why"] = "A changed line."

    response = staff.post(url, data)

    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "choices"
    )
    [message] = formset.forms[index].non_field_errors()
    assert message.startswith("Caveat “Option 2: The long-running form”, as of: '2026-13'")
    choice.refresh_from_db()
    assert choice.why != "A changed line."


def test_restoring_a_version_removes_a_caveat_added_since(staff):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    assert staff.post(url, {**_inline_post_data(staff, url), "intro": "Edited."}).status_code == 302
    first = Version.objects.get_for_object(comparison).first()

    choice = Choice.objects.get(question__comparison=comparison, slug="must-avoid")
    choice_url = reverse("admin:decision_choice_change", args=[choice.pk])
    data = _inline_post_data(staff, choice_url)
    data |= {
        "dimensions": [],
        "criteria": [],
        "caveats-TOTAL_FORMS": 1,
        "caveats-0-option": comparison.options.get(slug="option-2").pk,
        "caveats-0-form": "The long-running form",
        "caveats-0-text": "Runs for hours.",
        "caveats-0-order": 1,
    }
    assert staff.post(choice_url, data).status_code == 302
    assert Caveat.objects.filter(choice=choice).exists()

    revision_url = reverse("admin:decision_comparison_revision", args=[comparison.pk, first.pk])
    assert staff.post(revision_url, _inline_post_data(staff, revision_url)).status_code == 302
    assert not Caveat.objects.exists()
    assert comparison.options.filter(slug="option-2").exists()
