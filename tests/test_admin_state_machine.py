"""Random sequences of admin edits, each followed by the checks every state must pass.

A hypothesis state machine drives the real admin pages (change forms, inlines, delete views,
revision reverts) of a small comparison as a superuser. After every step the comparison must
export to fixture YAML that parses and loads back byte-identically (loading it changes no
row), the cached content must match the database, and no public page may answer with a 5xx.
Refused operations must answer 200 with the errors shown and leave the export unchanged.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from decision import history, services
from decision.content.engine_data import engine_model
from decision.content.files import dump_text, parse_text
from decision.engine import recommend
from decision.models import (
    Assessment,
    Caveat,
    Choice,
    ChoiceWeight,
    Comparison,
    Criterion,
    Dimension,
    FaqEntry,
    Option,
    OptionPoint,
    Question,
    RuleOut,
    Scenario,
)
from tests.factories import comparison_data, load_data, to_yaml
from tests.test_admin import _inline_post_data

_SLUGS = itertools.count(1)

# Scenarios added to the test comparison; their expected outcomes are computed, so they pass.
# (The engine needs three informative answers, or a rule-out that settles the outcome.)
SCENARIO_ANSWERS = {
    "favours-first": {
        "question-1": "favour-option-1",
        "question-2": "favour-option-1",
        "question-3": "favour-option-1",
    },
    "rules-out-last": {"question-1": "must-avoid", "question-3": "favour-option-2"},
}
RESULT_ANSWERS = {
    "question-1": "favour-option-1",
    "question-2": "favour-option-2",
    "question-3": "favour-option-2",
}
# Referred to by question-2's show_if and by the "favours-first" scenario.
REFERENCED = ("question-1", "favour-option-1")

# Characters that YAML, HTML or Markdown give a meaning to, and characters that Python or YAML
# count as a line break or a space although they are neither "\n" nor " ".
_SYNTAX = ":#-'\"\\|>&*!%@`{}[],?<"
_ODD_SPACE = "\x85\u2028\u2029\x0b\x0c\x1c\t\u00a0\ufeff"
# A list of one-character strings, not st.text: text() would merge the alphabets into one set
# of characters and almost never pick the interesting ones.
_ONE_LINE = (
    st.lists(
        st.sampled_from("abcxyz é中😀")
        | st.sampled_from(_SYNTAX)
        | st.sampled_from(_ODD_SPACE)
        | st.characters(codec="utf-8", exclude_categories=["Cs"]),
        min_size=1,
        max_size=30,
    )
    .map("".join)
    .filter(lambda text: "\x00" not in text and "\r" not in text and "\n" not in text)
)
# Textareas: browsers send line breaks as CR LF.
_MULTI_LINE = st.lists(_ONE_LINE, min_size=1, max_size=3).map("\n".join)
_VALID_ONE_LINE = _ONE_LINE.filter(lambda text: text.strip())
_VALID_MULTI_LINE = _MULTI_LINE.filter(lambda text: text.strip())
_INDEX = st.integers(min_value=0, max_value=50)

_CONTENT_MODELS = {
    Option: "comparison",
    OptionPoint: "option__comparison",
    Criterion: "option__comparison",
    Dimension: "comparison",
    Assessment: "dimension__comparison",
    FaqEntry: "comparison",
    Question: "comparison",
    Choice: "question__comparison",
    ChoiceWeight: "choice__question__comparison",
    RuleOut: "choice__question__comparison",
    Caveat: "choice__question__comparison",
    Scenario: "comparison",
}


def _stored(text: str) -> str:
    """What a text field keeps of what was typed: plain newlines, no surrounding space."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _browser(text: str) -> str:
    return text.replace("\n", "\r\n")


def _data_with_scenarios(slug: str) -> dict:
    data = comparison_data(slug, options=2, dimensions=3, faq=3, questions=3)
    model = engine_model(parse_text(to_yaml(data), file="x"))
    data["scenarios"] = [
        {
            "slug": name,
            "name": name.replace("-", " ").capitalize(),
            "answers": answers,
            "outcome": recommend(model, answers).outcome,
        }
        for name, answers in SCENARIO_ANSWERS.items()
    ]
    return data


def _export(slug: str) -> str:
    out = StringIO()
    call_command("export_content", slug, stdout=out)
    return out.getvalue()


def _rows(comparison: Comparison, *, order: bool = True) -> dict:
    """Every content row of the comparison, as stored (with or without `order` values)."""
    rows = {}
    for model, path in [(Comparison, "pk"), *_CONTENT_MODELS.items()]:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name != "updated_at" and (order or f.name != "order")
        ]
        rows[model.__name__] = list(
            model.objects.filter(**{path: comparison.pk}).order_by("pk").values(*names)
        )
    rows["links"] = sorted(
        Choice.objects.filter(question__comparison=comparison).values_list(
            "pk", "dimensions", "criteria"
        ),
        key=repr,
    )
    return rows


def _value(value):
    """One form value as the browser posts it."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple) and all(isinstance(v, Model) for v in value):
        return [v.pk for v in value]  # a many-to-many field: one value per selected row
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else value


def _form_data(response) -> dict:
    """The POST data of a rendered admin change form (or revision form), as shown.

    Like tests.test_admin._inline_post_data, but from a response, and with many-to-many
    fields posted as the browser does (one primary key per selected row).
    """
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        data[name] = _value(form.initial.get(name, field.initial))
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
        for inline_form in formset.formset.forms:
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                data[inline_form.add_prefix(name)] = _value(value)
    return {key: value for key, value in data.items() if value is not False}


def _errors(response) -> list:
    if response.context is None or "adminform" not in response.context:
        return []
    return [
        response.context["adminform"].form.errors,
        *[fs.formset.errors for fs in response.context["inline_admin_formsets"]],
        *[fs.formset.non_form_errors() for fs in response.context["inline_admin_formsets"]],
    ]


def _assert_saved(response) -> None:
    assert response.status_code == 302, (response.status_code, _errors(response))


def _assert_refused(response, *marks: str) -> None:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert any(mark in page for mark in marks or ("errornote", "errorlist")), page[:2000]


class AdminStateMachine(RuleBasedStateMachine):
    """A small comparison edited through admin in random order."""

    @initialize()
    def start(self):
        cache.clear()
        services.forget()
        self.slug = f"machine-{next(_SLUGS)}"
        self.comparison = load_data(_data_with_scenarios(self.slug))
        user = get_user_model().objects.filter(username="machine-admin").first()
        if user is None:
            user = get_user_model().objects.create_superuser("machine-admin", password="pw")
        self.staff = Client()
        self.staff.force_login(user)
        self.visitor = Client()
        result = services.create_result(services.comparison_content(self.slug), RESULT_ANSWERS)
        self.permalinks = [
            result.get_absolute_url(),
            reverse("decision:result_adr", args=[self.slug, result.token]),
        ]
        self.export = _export(self.slug)
        self.rows = _rows(self.comparison)
        self.loaded: tuple[str, dict] | None = None  # the last state seen to load back
        self.versions: dict[int, str] = {}  # recorded version pk -> export at that moment
        self.added = 0

    # --- helpers ------------------------------------------------------------------------

    @property
    def change_url(self) -> str:
        return reverse("admin:decision_comparison_change", args=[self.comparison.pk])

    def _options(self) -> list[Option]:
        return list(self.comparison.options.all())

    def _accepted(self) -> None:
        """After a save that went through: remember the new export and any new version."""
        self.export = _export(self.slug)
        self.rows = _rows(self.comparison)
        self._remember_versions()

    def _remember_versions(self) -> None:
        for version in history.versions_of(self.comparison):
            self.versions.setdefault(version.pk, self.export)

    def _refused(self, response, *marks: str) -> None:
        _assert_refused(response, *marks)
        assert _export(self.slug) == self.export, "a refused edit changed the content"
        assert _rows(self.comparison) == self.rows, "a refused edit wrote to the database"

    # --- changes ------------------------------------------------------------------------

    @rule(index=_INDEX, text=_VALID_MULTI_LINE)
    def edit_faq_answer(self, index, text):
        data = _inline_post_data(self.staff, self.change_url)
        count = int(data["faq_entries-TOTAL_FORMS"])
        if not count:
            return
        i = index % count
        data[f"faq_entries-{i}-answer"] = _browser(text)
        _assert_saved(self.staff.post(self.change_url, data))
        assert FaqEntry.objects.get(pk=data[f"faq_entries-{i}-id"]).answer == _stored(text)
        self._accepted()

    @rule(index=_INDEX, winner=_INDEX, option=_INDEX, text=_VALID_MULTI_LINE)
    def edit_dimension(self, index, winner, option, text):
        data = _inline_post_data(self.staff, self.change_url)
        i = index % int(data["dimensions-TOTAL_FORMS"])
        options = self._options()
        choices = [None, *options]
        chosen = choices[winner % len(choices)]
        assessed = options[option % len(options)]
        data[f"dimensions-{i}-winner"] = chosen.pk if chosen else ""
        data[f"dimensions-{i}-assessment_{assessed.pk}"] = _browser(text)
        _assert_saved(self.staff.post(self.change_url, data))
        dimension = Dimension.objects.get(pk=data[f"dimensions-{i}-id"])
        assert dimension.winner == chosen
        assert dimension.assessments.get(option=assessed).text == _stored(text)
        self._accepted()

    @rule(option=_INDEX, text=_VALID_MULTI_LINE)
    def edit_option_tagline(self, option, text):
        target = self._options()[option % 2]
        url = reverse("admin:decision_option_change", args=[target.pk])
        data = _inline_post_data(self.staff, url)
        data["tagline"] = _browser(text)
        _assert_saved(self.staff.post(url, data))
        target.refresh_from_db()
        assert target.tagline == _stored(text)
        self._accepted()

    @rule(question=_INDEX, choice=_INDEX, text=_VALID_ONE_LINE)
    def edit_choice_label(self, question, choice, text):
        questions = list(self.comparison.questions.all())
        url = reverse("admin:decision_question_change", args=[questions[question % 3].pk])
        data = _form_data(self.staff.get(url))
        i = choice % int(data["choices-TOTAL_FORMS"])
        data[f"choices-{i}-label"] = text
        _assert_saved(self.staff.post(url, data))
        assert Choice.objects.get(pk=data[f"choices-{i}-id"]).label == text.strip()
        self._accepted()

    @rule(question=_INDEX, choice=_INDEX, month=st.sampled_from(["2025-01", "2026-11", ""]))
    def edit_choice_facts(self, question, choice, month):
        questions = list(self.comparison.questions.all())
        url = reverse("admin:decision_question_change", args=[questions[question % 3].pk])
        data = _form_data(self.staff.get(url))
        i = choice % int(data["choices-TOTAL_FORMS"])
        data[f"choices-{i}-sources"] = "https://example.com/limits" if month else ""
        data[f"choices-{i}-as_of"] = month
        _assert_saved(self.staff.post(url, data))
        stored = Choice.objects.get(pk=data[f"choices-{i}-id"])
        assert (stored.as_of, bool(stored.sources)) == (month, bool(month))
        self._accepted()

    # --- additions ----------------------------------------------------------------------

    @rule(question=_VALID_ONE_LINE, answer=_VALID_MULTI_LINE)
    def add_faq(self, question, answer):
        self.added += 1
        question = f"Added question {self.added}: {question}"  # never a duplicate
        data = _inline_post_data(self.staff, self.change_url)
        n = int(data["faq_entries-TOTAL_FORMS"])
        data["faq_entries-TOTAL_FORMS"] = n + 1
        data |= {
            f"faq_entries-{n}-question": question,
            f"faq_entries-{n}-answer": _browser(answer),
            f"faq_entries-{n}-sources": "",
            f"faq_entries-{n}-id": "",
            f"faq_entries-{n}-comparison": self.comparison.pk,
        }
        before = self.comparison.faq_entries.count()
        _assert_saved(self.staff.post(self.change_url, data))
        assert self.comparison.faq_entries.count() == before + 1
        entry = self.comparison.faq_entries.get(question=question.strip())
        assert entry.answer == _stored(answer)
        assert list(self.comparison.faq_entries.all())[-1] == entry  # added at the end
        self._accepted()

    @rule(option=_INDEX, text=_VALID_MULTI_LINE)
    def add_pro(self, option, text):
        target = self._options()[option % 2]
        url = reverse("admin:decision_option_change", args=[target.pk])
        data = _inline_post_data(self.staff, url)
        n = int(data["points-TOTAL_FORMS"])
        data["points-TOTAL_FORMS"] = n + 1
        data |= {
            f"points-{n}-text": _browser(text),
            f"points-{n}-id": "",
            f"points-{n}-option": target.pk,
        }
        _assert_saved(self.staff.post(url, data))
        assert target.pros[-1].text == _stored(text)
        assert len(target.pros) == n + 1
        self._accepted()

    # --- deletions ----------------------------------------------------------------------

    @precondition(lambda self: self.comparison.faq_entries.exists())
    @rule(index=_INDEX)
    def delete_faq(self, index):
        entries = list(self.comparison.faq_entries.all())
        entry = entries[index % len(entries)]
        url = reverse("admin:decision_faqentry_delete", args=[entry.pk])
        assert self.staff.get(url).status_code == 200
        response = self.staff.post(url, {"post": "yes"})
        assert response.status_code == 302, response.status_code
        assert not FaqEntry.objects.filter(pk=entry.pk).exists()
        self._accepted()

    @rule(inline=st.booleans())
    def delete_referenced_choice(self, inline):
        question = self.comparison.questions.get(slug=REFERENCED[0])
        choice = question.choices.get(slug=REFERENCED[1])
        if inline:
            url = reverse("admin:decision_question_change", args=[question.pk])
            data = _form_data(self.staff.get(url))
            [i] = [
                i
                for i in range(int(data["choices-TOTAL_FORMS"]))
                if data[f"choices-{i}-id"] == choice.pk
            ]
            data[f"choices-{i}-DELETE"] = "on"
            # Django's own check (question-2's show_if is RESTRICT) or ours (the scenario).
            self._refused(
                self.staff.post(url, data),
                "cannot be deleted while other content",
                "protected related objects",
            )
        else:
            url = reverse("admin:decision_choice_delete", args=[choice.pk])
            response = self.staff.post(url, {"post": "yes"})
            self._refused(response, "Cannot delete", "cannot be deleted", "protected")
        assert Choice.objects.filter(pk=choice.pk).exists()

    @rule(option=_INDEX, index=_INDEX)
    def delete_pro(self, option, index):
        target = self._options()[option % 2]
        url = reverse("admin:decision_option_change", args=[target.pk])
        data = _inline_post_data(self.staff, url)
        count = int(data["points-TOTAL_FORMS"])
        if not count:
            return
        i = index % count
        pk = data[f"points-{i}-id"]
        data[f"points-{i}-DELETE"] = "on"
        _assert_saved(self.staff.post(url, data))
        assert not OptionPoint.objects.filter(pk=pk).exists()
        self._accepted()

    # --- order --------------------------------------------------------------------------

    @rule(first=_INDEX, second=_INDEX)
    def swap_faq_order(self, first, second):
        data = _inline_post_data(self.staff, self.change_url)
        count = int(data["faq_entries-TOTAL_FORMS"])
        if count < 2:
            return
        i, j = first % count, second % count
        a, b = f"faq_entries-{i}-order", f"faq_entries-{j}-order"
        data[a], data[b] = data[b], data[a]
        expected = sorted(
            range(count),
            key=lambda k: (int(data[f"faq_entries-{k}-order"]), data[f"faq_entries-{k}-id"]),
        )
        expected = [FaqEntry.objects.get(pk=data[f"faq_entries-{k}-id"]) for k in expected]
        _assert_saved(self.staff.post(self.change_url, data))
        assert list(self.comparison.faq_entries.all()) == expected
        self._accepted()
        exported = parse_text(self.export, file="x").faq
        assert [entry.question for entry in exported] == [e.question for e in expected]

    # --- edits that must be refused -----------------------------------------------------

    @rule(where=st.sampled_from(["faq", "option", "dimension"]), index=_INDEX)
    def refuse_source_that_is_not_a_url(self, where, index):
        if where == "option":
            url = reverse("admin:decision_option_change", args=[self._options()[index % 2].pk])
            data = _inline_post_data(self.staff, url)
            data["sources"] = "https://example.com/ok\r\nnot a url"
        else:
            url = self.change_url
            data = _inline_post_data(self.staff, url)
            prefix = {"faq": "faq_entries", "dimension": "dimensions"}[where]
            count = int(data[f"{prefix}-TOTAL_FORMS"])
            if not count:
                return
            data[f"{prefix}-{index % count}-sources"] = "not a url"
        self._refused(self.staff.post(url, data))

    @rule(index=_INDEX, winner=st.sampled_from(["999999999", "-1", "nothing", "0"]))
    def refuse_winner_from_nothing(self, index, winner):
        data = _inline_post_data(self.staff, self.change_url)
        i = index % int(data["dimensions-TOTAL_FORMS"])
        data[f"dimensions-{i}-winner"] = winner
        self._refused(self.staff.post(self.change_url, data))

    @rule(
        where=st.sampled_from(["faq", "assessment", "tagline", "label"]),
        index=_INDEX,
        blank=st.sampled_from(["", " ", "\r\n", "\t \u00a0"]),
    )
    def refuse_empty_required_text(self, where, index, blank):
        if where == "tagline":
            url = reverse("admin:decision_option_change", args=[self._options()[index % 2].pk])
            data = _inline_post_data(self.staff, url)
            data["tagline"] = blank
        elif where == "label":
            questions = list(self.comparison.questions.all())
            url = reverse("admin:decision_question_change", args=[questions[index % 3].pk])
            data = _form_data(self.staff.get(url))
            data[f"choices-{index % int(data['choices-TOTAL_FORMS'])}-label"] = blank
        else:
            url = self.change_url
            data = _inline_post_data(self.staff, url)
            if where == "faq":
                count = int(data["faq_entries-TOTAL_FORMS"])
                if not count:
                    return
                data[f"faq_entries-{index % count}-answer"] = blank
            else:
                option = self._options()[index % 2]
                data[f"dimensions-{index % 3}-assessment_{option.pk}"] = blank
        self._refused(self.staff.post(url, data))

    @rule(
        question=_INDEX,
        choice=_INDEX,
        month=st.sampled_from(["2026-13", "2026-1", "26-11", "2026-11-01", "November 2026"]),
    )
    def refuse_a_month_that_is_not_one(self, question, choice, month):
        questions = list(self.comparison.questions.all())
        url = reverse("admin:decision_question_change", args=[questions[question % 3].pk])
        data = _form_data(self.staff.get(url))
        data[f"choices-{choice % int(data['choices-TOTAL_FORMS'])}-as_of"] = month
        response = self.staff.post(url, data)
        self._refused(response, "Write a year and a month", "has at most 7 characters")

    @rule()
    def refuse_weights_that_flip_a_scenario(self):
        """Pulling the scenario's answer the other way changes its outcome: refused."""
        question = self.comparison.questions.get(slug=REFERENCED[0])
        url = reverse("admin:decision_question_change", args=[question.pk])
        data = _form_data(self.staff.get(url))
        [i] = [
            i
            for i in range(int(data["choices-TOTAL_FORMS"]))
            if data[f"choices-{i}-slug"] == REFERENCED[1]
        ]
        first, second = self._options()
        data[f"choices-{i}-weight_{first.pk}"] = -10
        data[f"choices-{i}-weight_{second.pk}"] = 10
        self._refused(self.staff.post(url, data), "now gives")

    # --- history ------------------------------------------------------------------------

    @precondition(lambda self: self.versions)
    @rule(pick=_INDEX)
    def revert(self, pick):
        versions = list(history.versions_of(self.comparison))
        version = versions[pick % len(versions)]
        expected = self.versions[version.pk]
        url = reverse("admin:decision_comparison_revision", args=[self.comparison.pk, version.pk])
        data = _form_data(self.staff.get(url))
        _assert_saved(self.staff.post(url, data))
        self._accepted()
        assert self.export == expected, "the revert did not restore the version's content"

    # --- after every step ---------------------------------------------------------------

    @invariant()
    def content_exports_and_loads_back(self):
        text = _export(self.slug)
        assert text == self.export
        rows = _rows(self.comparison)
        assert rows == self.rows
        if self.loaded == (text, rows):
            return  # nothing changed since this very state loaded back (a refused step)
        parse_text(text, file="x")
        before = _rows(self.comparison, order=False)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / f"{self.slug}.yaml"
            path.write_text(text, encoding="utf-8")
            call_command("load_content", str(path), stdout=StringIO())
        assert _export(self.slug) == text, "load -> export is not byte-identical"
        # Loading may number `order` afresh (0, 1, 2…); the export shows the order is kept.
        assert _rows(self.comparison, order=False) == before, "loading the export changed rows"
        self.rows = _rows(self.comparison)
        self.loaded = (text, self.rows)
        self._remember_versions()

    @invariant()
    def cached_content_is_current(self):
        assert dump_text(services.comparison_content(self.slug)) == self.export

    @invariant()
    def public_pages_answer(self):
        wizard = reverse("decision:wizard", args=[self.slug])
        for url in (
            reverse("decision:comparison", args=[self.slug]),
            wizard,
            f"{wizard}?question-1=favour-option-1&step=question-2",
            f"{wizard}?question-1=must-avoid&question-3=favour-option-2",
        ):
            status = self.visitor.get(url).status_code
            assert status < 500, (url, status)
        for url in self.permalinks:
            status = self.visitor.get(url).status_code
            assert status == 200, (url, status)


@pytest.mark.django_db(transaction=False)
def test_admin_edits_in_any_order_keep_content_whole():
    run_state_machine_as_test(
        AdminStateMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=8,
            deadline=None,
            # No shrinking: a step costs about half a second, so shrinking one failure can
            # take hypothesis' whole five-minute budget; eight steps at most read well as found.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db
def test_a_next_line_character_typed_in_admin_survives_export_and_load():
    """Found by the machine above. U+0085 (NEL: the "…" of Windows-1252 text read as Latin-1)
    is accepted by admin and written raw by export_content, but YAML reads it as a line break:
    loading the export turns the answer "a<NEL>b" into "a b"."""
    machine = AdminStateMachine()
    machine.start()
    machine.edit_faq_answer(index=0, text="a\x85b")
    entry = machine.comparison.faq_entries.first()
    assert entry.answer == "a\x85b"
    machine.content_exports_and_loads_back()
    entry.refresh_from_db()
    assert entry.answer == "a\x85b"
