"""The wizard as a browser without JavaScript uses it, plus its htmx fragments and bad input.

Most tests walk a small factory comparison (`parts_comparison_data`: a knock-out first, a
parts question, a follow-up, a question about one part); the whole-walk and result tests use
the flagship, reading every expected text from the loaded content.
"""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from decision import services
from decision import wizard as steps
from decision.engine import NOT_SURE, possible_questions
from decision.models import Option, Result
from decision.snapshot import read_snapshot
from decision.wizard import MAX_PARAMS
from tests.factories import comparison_data, load_data, load_flagship, parts_comparison_data
from tests.forms_html import step_form

pytestmark = pytest.mark.django_db

WIZARD = "/kubernetes-vs-serverless/wizard/"
DEMO = "/parts-demo/wizard/"
REVIEW = "/parts-demo/wizard/review/"
FINISH = "/parts-demo/wizard/finish/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def flagship():
    return load_flagship()


@pytest.fixture
def demo():
    return load_data(parts_comparison_data())


@pytest.fixture
def model(demo):
    return services.cached_content(demo.slug).model


class _Checkboxes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.boxes: list[tuple[str, str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "checkbox":
            self.boxes.append((attrs["name"], attrs["value"], attrs))


def checkboxes(html: str) -> list[tuple[str, str, dict]]:
    """The checkboxes of the wizard form on a page: (name, value, attributes)."""
    parser = _Checkboxes()
    parser.feed(html.split('id="wizard"', 1)[1])
    return parser.boxes


def walk(client, start, pick=lambda form: form.choices[0], parts=lambda boxes: boxes[:1],
         asked=None, limit=100):  # fmt: skip
    """Answer every step by submitting its form as a browser would, then finish from the
    review page; return the final response. Steps answered are appended to `asked`."""
    response = client.get(start)
    for _ in range(limit):
        if response.status_code == 302:
            if "/results/" in response["Location"]:
                return response
            response = client.get(response["Location"])
        assert response.status_code == 200, response
        html = response.content.decode()
        form = step_form(html)
        if form.method == "post":  # the review page
            response = client.post(form.action, dict_list(form.hidden))
            continue
        if asked is not None:
            asked.append(dict(form.hidden)["from"])
        boxes = checkboxes(html)
        if boxes:
            data = [*form.hidden, *((name, value) for name, value, _ in parts(boxes))]
        else:
            data = form.data(pick(form))
        response = client.get(form.action, dict_list(data))
    raise AssertionError("the wizard never finished")


def dict_list(pairs):
    """Pairs to the dict-of-lists the test client encodes as repeated fields."""
    data = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def heading(prompt: str) -> str:
    return f'<h1 id="question-heading" tabindex="-1">{prompt}</h1>'


def test_whole_wizard_without_javascript(client, flagship):
    asked = []
    response = walk(client, WIZARD, asked=asked)
    assert response.status_code == 302
    result = Result.objects.get()
    assert response["Location"] == f"/kubernetes-vs-serverless/results/{result.token}/"
    assert len(result.token) >= 32  # 24 random bytes, URL-safe: 192 bits
    assert set(result.answers) == set(asked)
    assert client.get(response["Location"]).status_code == 200


# --- steps ---------------------------------------------------------------------------------


def test_first_step_shows_progress_and_a_labelled_radio_group(client, demo, model):
    response = client.get(DEMO)
    html = response.content.decode()
    total = len(possible_questions(model, {}))
    assert f"Question 1 · about {total - 1} to go" in html
    assert f'<progress max="{total}" value="0"' in html
    assert "<fieldset" in html and "<legend>" in html
    question = model.questions[0]
    assertContains(response, heading(question.prompt), html=True)
    form = step_form(html)
    assert form.choices[-1] == NOT_SURE
    assert len(form.choices) == len(question.choices) + 1


def test_each_step_url_restores_it_with_its_answer_selected(client, demo):
    response = client.get(DEMO, {"where": "own-servers", "step": "where"})
    form = step_form(response.content.decode())
    assert form.checked == "own-servers"
    assertContains(response, "Question 1 ·")

    response = client.get(DEMO, {"where": "any-cloud"})
    assertContains(response, heading("Which parts does your system have?"), html=True)
    assert ("where", "any-cloud") in step_form(response.content.decode()).hidden


def test_submitting_a_step_redirects_to_the_next_step_url(client, demo):
    response = client.get(DEMO, {"where": "any-cloud", "from": "where"})
    assert response.status_code == 302
    assert response["Location"] == f"{DEMO}?where=any-cloud&step=parts"


def test_submitting_without_a_choice_shows_an_inline_error(client, demo):
    response = client.get(DEMO, {"from": "where"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="field-error" id="step-error">Choose one of the answers' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'<fieldset aria-invalid="true" aria-describedby="[^"]*step-error">', html)
    assert "Question 1 ·" in html
    assert "<title>Error: Where must it run?" in html


def test_follow_up_question_appears_only_after_its_answer(client, demo, model):
    follow_up = model.question("hours")
    shown = client.get(DEMO, {"where": "any-cloud", "traffic": "steady", "step": "hours"})
    assertContains(shown, heading(follow_up.prompt), html=True)

    hidden = client.get(DEMO, {"where": "any-cloud", "traffic": "spiky", "step": "hours"})
    assertContains(hidden, 'role="alert"', count=1)
    assertNotContains(hidden, escape(follow_up.prompt))


# --- the parts step ------------------------------------------------------------------------


def test_the_parts_step_has_checkboxes_and_a_not_sure_that_stands_alone(client, demo, model):
    response = client.get(DEMO, {"where": "any-cloud", "step": "parts"})
    html = response.content.decode()
    boxes = checkboxes(html)
    question = model.question("parts")
    assert [value for _, value, _ in boxes] == [c.slug for c in question.choices] + [NOT_SURE]
    assert {name for name, _, _ in boxes} == {"parts"}
    assert ["data-exclusive" in attrs for _, _, attrs in boxes] == [False] * 3 + [True]
    assert step_form(html).radios == []
    assertContains(response, 'id="step-hint"')


def test_parts_are_sent_as_ticked_boxes_and_kept_in_content_order(client, demo):
    response = client.get(
        DEMO, [("where", "any-cloud"), ("parts", "store"), ("parts", "web"), ("from", "parts")]
    )
    assert response.status_code == 302
    assert response["Location"] == f"{DEMO}?where=any-cloud&parts=web&parts=store&step=traffic"
    step = client.get(response["Location"])
    hidden = step_form(step.content.decode()).hidden
    assert [pair for pair in hidden if pair[0] == "parts"] == [("parts", "web"), ("parts", "store")]

    again = client.get(DEMO, {"where": "any-cloud", "parts": ["store", "web"], "step": "parts"})
    ticked = [v for _, v, attrs in checkboxes(again.content.decode()) if "checked" in attrs]
    assert ticked == ["web", "store"]


def test_parts_and_not_sure_together_are_an_error_on_the_step(client, demo):
    response = client.get(DEMO, {"where": "any-cloud", "parts": ["web", NOT_SURE], "from": "parts"})
    assert response.status_code == 200
    assertContains(response, "Tick the parts your system has, or “Not sure” on its own, not both.")
    assertNotContains(response, 'role="alert"')  # the form says it; no second message


# --- knock-outs and skipped questions ------------------------------------------------------


def _rule(model, question, choice):
    return model.question(question).choice(choice).rules_out[0]


def _option_name(demo, slug):
    return demo.options.get(slug=slug).name


def test_a_knock_out_is_said_at_once_and_settled_questions_are_skipped(client, demo, model):
    response = client.get(DEMO, {"where": "own-servers", "from": "where"})
    assert response.status_code == 302
    assert response["Location"] == f"{REVIEW}?where=own-servers"  # nothing left to ask
    review = client.get(response["Location"])
    rule = _rule(model, "where", "own-servers")
    line = f"{_option_name(demo, rule.option)} is ruled out: {rule.reason}"
    notice = _section(review.content.decode(), 'class="knockouts"', "</div>")
    assert escape(line) in notice
    assertNotContains(review, 'role="alert"')  # information, not an error
    rows = _section(review.content.decode(), '<dl class="review">', "</dl>")
    assert rows.count("<dt>") == 1


def test_a_knock_out_for_one_part_names_the_part_on_the_next_step(client, demo, model):
    response = client.get(
        DEMO, {"where": "any-cloud", "parts": ["web", "store"], "from": "parts"}, follow=True
    )
    rule = _rule(model, "parts", "store")
    part = model.question("parts").choice("store").label
    line = f"{_option_name(demo, rule.option)} is ruled out for “{part}”: {rule.reason}"
    html = response.content.decode()
    assert escape(line) in _section(html, 'class="knockouts"', "</div>")
    assert escape(line) in _section(html, 'id="wizard-status"', "</p>")  # announced too
    assertContains(response, heading(model.question("traffic").prompt), html=True)

    later = client.get(DEMO, {"where": "any-cloud", "parts": ["web", "store"], "traffic": "spiky"})
    assertNotContains(later, 'class="knockouts"')  # said once, on the step after the answer


# --- check your answers --------------------------------------------------------------------

ANSWERS = {"where": "any-cloud", "parts": "web", "traffic": "spiky", "team": "ops"}


def test_the_last_answer_leads_to_the_review_page(client, demo):
    answers = {k: v for k, v in ANSWERS.items() if k != "team"}
    response = client.get(DEMO, {**answers, "team": "ops", "from": "team"})
    assert response.status_code == 302
    assert response["Location"] == f"{REVIEW}?{urlencode(ANSWERS)}"


def test_the_review_page_lists_every_answer_with_a_change_link(client, demo, model):
    response = client.get(REVIEW, ANSWERS)
    assert response.status_code == 200
    html = response.content.decode()
    assertContains(response, heading("Check your answers"), html=True)
    assert f"<title>Check your answers — {demo.title} wizard — Decision Wizard</title>" in html
    rows = _section(html, '<dl class="review">', "</dl>").split("<dt>")[1:]
    assert len(rows) == len(ANSWERS)
    for row, (slug, value) in zip(rows, ANSWERS.items(), strict=True):
        question = model.question(slug)
        assert escape(question.prompt) in row
        assert escape(question.choice(value).label) in row
        change = unescape(re.search(r'<a href="([^"]+)"', row).group(1))
        assert change == steps.url(DEMO, model, ANSWERS, slug, back_to_review=True)
    form = step_form(html)
    assert (form.method, form.action) == ("post", FINISH)
    assert any(name == "csrfmiddlewaretoken" for name, _ in form.hidden)
    assert "no-store" in response["Cache-Control"]  # it carries this visitor's CSRF token


def test_a_change_from_the_review_page_returns_to_it(client, demo, model):
    change = steps.url(DEMO, model, ANSWERS, "team", back_to_review=True)
    step = client.get(change)
    form = step_form(step.content.decode())
    assert ("return", "review") in form.hidden
    assert form.checked == "ops"
    back = re.search(r'<a class="button" href="([^"]+)"', step.content.decode()).group(1)
    assert unescape(back) == f"{REVIEW}?{urlencode(ANSWERS)}"

    response = client.get(DEMO, dict_list(form.data("devs")))
    assert response.status_code == 302
    assert response["Location"] == f"{REVIEW}?{urlencode({**ANSWERS, 'team': 'devs'})}"


def test_a_change_that_opens_a_question_asks_it_before_returning(client, demo, model):
    opened = client.get(
        DEMO, {**ANSWERS, "traffic": "steady", "from": "traffic", "return": "review"}
    )
    assert opened.status_code == 302
    answers = {**ANSWERS, "traffic": "steady"}
    assert opened["Location"] == steps.url(DEMO, model, answers, "hours", back_to_review=True)
    answered = client.get(DEMO, {**answers, "hours": "office", "from": "hours", "return": "review"})
    assert answered["Location"] == steps.url(REVIEW, model, {**answers, "hours": "office"})


def test_the_review_page_with_a_question_unanswered_asks_it(client, demo):
    response = client.get(REVIEW, {"where": "any-cloud", "parts": "web"})
    assert response.status_code == 302
    assert response["Location"] == f"{DEMO}?where=any-cloud&parts=web&step=traffic"


def test_finish_opened_as_a_page_leads_to_the_review_page_and_saves_nothing(client, demo):
    response = client.get(FINISH, dict(reversed(ANSWERS.items())))
    assert response.status_code == 302
    assert response["Location"] == f"{REVIEW}?{urlencode(ANSWERS)}"
    review = client.get(response["Location"])
    assert step_form(review.content.decode()).method == "post"

    partial = client.get(FINISH, {"where": "any-cloud"})
    assert partial["Location"] == f"{DEMO}?where=any-cloud&step=parts"
    assert not Result.objects.exists()


def test_the_review_page_button_saves_the_result(client, demo):
    form = step_form(client.get(REVIEW, ANSWERS).content.decode())
    response = client.post(form.action, dict_list(form.hidden))
    assert response.status_code == 302
    result = Result.objects.get()
    assert response["Location"] == result.get_absolute_url()
    assert result.answers == ANSWERS


def test_htmx_last_answer_swaps_in_the_review_page_and_pushes_its_url(client, demo, model):
    answers = {k: v for k, v in ANSWERS.items() if k != "team"}
    response = client.get(DEMO, {**answers, "team": "ops", "from": "team"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{REVIEW}?{urlencode(ANSWERS)}"
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith("<title>Check your answers — ")
    assert 'name="csrfmiddlewaretoken"' in html


# --- titles and htmx -----------------------------------------------------------------------


def test_each_step_has_its_question_in_the_title(client, demo, model):
    answers = {}
    for slug, value in ANSWERS.items():
        question = model.question(slug)
        expected = f"{question.prompt} — {demo.title} wizard — Decision Wizard"
        page = client.get(DEMO, {**answers, "step": slug}).content.decode()
        assert page.count("<title>") == 1
        assert f"<title>{escape(expected)}</title>" in page
        swap = client.get(DEMO, {**answers, "step": slug}, headers=HTMX).content.decode()
        assert swap.lstrip().startswith(f"<title>{escape(expected)}</title>")  # htmx reads it
        answers[slug] = value


def test_htmx_step_is_a_fragment_and_pushes_the_url(client, demo):
    response = client.get(DEMO, {"where": "any-cloud", "from": "where"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assertContains(response, heading("Which parts does your system have?"), html=True)
    assert response["HX-Push-Url"] == f"{DEMO}?where=any-cloud&step=parts"
    assert 'hx-swap-oob="innerHTML">Question 2 · about' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, demo):
    response = client.get(DEMO, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_htmx_finish_redirects_with_hx_redirect(client, demo):
    response = client.post(FINISH, ANSWERS, headers=HTMX)
    assert response.status_code == 200
    token = Result.objects.get().token
    assert response["HX-Redirect"] == f"/parts-demo/results/{token}/"


def test_finish_without_csrf_token_is_refused(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post(FINISH, ANSWERS)
    assert response.status_code == 403
    assert not Result.objects.exists()


def test_steps_are_plain_get_forms_without_a_csrf_token(client, demo):
    last = client.get(DEMO, {**ANSWERS, "step": "team"})
    form = step_form(last.content.decode())
    assert (form.method, form.action) == ("get", DEMO)
    assert not any(name == "csrfmiddlewaretoken" for name, _ in form.hidden)


def test_a_legacy_step_post_to_finish_asks_a_follow_up_that_the_answer_opened(client):
    data = comparison_data()
    data["questions"][1]["show_if"] = None
    data["questions"].append(
        {
            "slug": "follow-up",
            "prompt": "A follow-up?",
            "choices": data["questions"][2]["choices"],
            "show_if": {"question": "question-3", "choice": "favour-option-1"},
        }
    )
    load_data(data)
    url = reverse("decision:wizard_finish", args=["demo"])
    answers = {"question-1": "favour-option-1", "question-2": "not-sure"}
    response = client.post(url, {**answers, "question-3": "favour-option-1", "from": "question-3"})
    assert response.status_code == 302
    assert response["Location"].endswith("&step=follow-up")
    assert not Result.objects.exists()


# Tampering: every kind of bad input gets a notice or a 4xx, never a 500; unknown keys are
# dropped without a word.

TAMPERED = {
    "unknown choice": (
        {"{q1}": "teleport"},
        "We ignored an answer to “{q1_prompt}” that is not one of its choices.",
        "teleport",
    ),
    "duplicate answers": (
        {"{q1}": ["{c1}", "{c2}"]},
        "We ignored your answers to “{q1_prompt}” because there were several; "
        "please answer it again.",
        None,
    ),
    "huge value": (
        {"{q1}": "x" * 20_000},
        "We ignored a value that was far too long to be an answer.",
        "x" * 200,
    ),
    "too many parameters": (
        {"{q1}": ["{c1}"] * (MAX_PARAMS + 50)},
        f"The address had too many parts; we read the first {MAX_PARAMS}.",
        None,
    ),
    "unknown step": (
        {"step": "no-such-step"},
        "We ignored a step that is not part of this wizard.",
        "no-such-step",
    ),
    "repeated step": (
        {"step": ["{q1}", "{q2}"]},
        "We ignored a repeated “step” in the address.",
        None,
    ),
    "unknown from": (
        {"from": "no-such-step"},
        "We ignored a step that is not part of this wizard.",
        "no-such-step",
    ),
    "repeated from": (
        {"from": ["{q1}", "{q2}"]},
        "We ignored a repeated “from” in the address.",
        None,
    ),
    "answer to a question that does not apply": (
        {"{follow_up}": "{follow_up_choice}", "{trigger_q}": "{other_choice}"},
        "We ignored your answer to “{follow_up_prompt}”, "
        "which does not apply to your other answers.",
        None,
    ),
    "step that does not apply": (
        {"step": "{follow_up}", "{trigger_q}": "{other_choice}"},
        "That step does not apply to your answers, so we moved on.",
        None,
    ),
    "null byte": (
        {"{q1}": "a\x00b"},
        "We ignored an answer to “{q1_prompt}” that is not one of its choices.",
        "a\x00b",
    ),
    "parts with not sure": (
        {"{parts_q}": ["{part}", NOT_SURE]},
        "We ignored your answer to “{parts_prompt}” because it was both “Not sure” and some "
        "parts; please answer it again.",
        None,
    ),
    "unknown part": (
        {"{parts_q}": ["{part}", "teleport"]},
        "We ignored an answer to “{parts_prompt}” that is not one of its choices.",
        "teleport",
    ),
}


@pytest.mark.parametrize("params, notice, never", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_wizard_urls_get_a_notice(client, demo, params, notice, never):
    fill = _filler(demo)
    query = {fill(key): fill(value) for key, value in params.items()}
    response = client.get(DEMO, query)
    assert response.status_code == 200
    assertContains(response, 'role="alert"', count=1)
    assertContains(response, fill(notice), count=1, html=True)  # names the question in our words
    if never is not None:
        assertNotContains(response, escape(never))  # the bad value is not echoed
    assert _stored_pages() == set()  # a page about this one URL is never cached
    assert not Result.objects.exists()


UNKNOWN_KEYS = {
    "tracking parameters": [
        ("utm_source", "newsletter"),
        ("utm_medium", "email"),
        ("utm_campaign", "spring-launch"),
        ("fbclid", "IwAR2xVq9fbclidvalue"),
        ("gclid", "Cj0KCQgclidvalue"),
    ],
    "sentence-shaped key": [("Your account is locked. Call +1-800-555-0100", "1")],
    "markup in a key": [("<script>alert('planted')</script>", "<b>planted</b>")],
    "long key": [("k" * 5000, "1")],
    "many unknown keys": [(f"planted{n}", "1") for n in range(300)],
    "a form's CSRF field": [("csrfmiddlewaretoken", "planted-token")],
}


@pytest.mark.parametrize("extra", UNKNOWN_KEYS.values(), ids=UNKNOWN_KEYS.keys())
def test_unknown_keys_are_dropped_silently(client, demo, model, extra):
    known = [("where", "any-cloud"), ("step", "parts")]
    clean = client.get(f"{DEMO}?{urlencode(known)}")
    assert clean.status_code == 200
    pages = _stored_pages()

    # The planted keys come first and the known ones in reverse order.
    response = client.get(f"{DEMO}?{urlencode([*extra, *reversed(known)])}")
    assert response.status_code == 200
    assertNotContains(response, 'role="alert"')
    for key, value in extra:
        assertNotContains(response, key[:60])
        assertNotContains(response, escape(key[:60]))
        assertNotContains(response, urlencode({key[:60]: value})[:60])
    assert response.content == clean.content
    assertContains(response, heading(model.question("parts").prompt), html=True)
    assert _stored_pages() == pages  # no cache entry of its own


def test_a_plain_step_is_cached_once_under_its_canonical_address(client, demo):
    answers = [("where", "any-cloud"), ("parts", "web"), ("parts", "jobs")]
    canonical = f"{DEMO}?{urlencode([*answers, ('step', 'traffic')])}"
    page = client.get(canonical)
    assert page.status_code == 200
    [stored] = _stored_pages()

    for url in (
        f"{DEMO}?{urlencode([('step', 'traffic'), *reversed(answers)])}",
        f"{DEMO}?{urlencode([('utm_source', 'feed'), *answers, ('step', 'traffic')])}",
        f"{DEMO}?where=any-cloud&parts=jobs,web&step=traffic",
    ):
        again = client.get(url)
        assert again.content == page.content, url
    assert _stored_pages() == {stored}

    # Pages about one request are rendered fresh and never stored.
    notice = client.get(canonical + "&where=teleport")
    assertContains(notice, 'role="alert"', count=1)
    error = client.get(f"{DEMO}?{urlencode([*answers, ('from', 'traffic')])}")
    assertContains(error, 'id="step-error"')
    restore = client.get(canonical, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assertContains(restore, "<html")
    review = client.get(REVIEW, ANSWERS)
    assertContains(review, "csrfmiddlewaretoken")
    assert _stored_pages() == {stored}


def _stored_pages() -> set[str]:
    """The keys of whole pages in the (local memory) cache."""
    return {key for key in caches["default"]._cache if ":page:" in key}


def _filler(comparison):
    """Fill "{q1}"-style placeholders (in strings or lists of them) from the comparison."""
    names = _names(comparison)

    def fill(text):
        return text.format(**names) if isinstance(text, str) else [fill(t) for t in text]

    return fill


def _names(comparison) -> dict[str, str]:
    first, second = comparison.questions.filter(show_if__isnull=True)[:2]
    follow_up = comparison.questions.exclude(show_if=None).select_related("show_if__question")[0]
    trigger = follow_up.show_if
    parts = comparison.questions.get(multiple=True)
    return {
        "q1": first.slug,
        "q1_prompt": first.prompt,
        "q2": second.slug,
        "c1": first.choices.all()[0].slug,
        "c2": first.choices.all()[1].slug,
        "follow_up": follow_up.slug,
        "follow_up_prompt": follow_up.prompt,
        "follow_up_choice": follow_up.choices.first().slug,
        "trigger_q": trigger.question.slug,
        "other_choice": trigger.question.choices.exclude(pk=trigger.pk).first().slug,
        "parts_q": parts.slug,
        "parts_prompt": parts.prompt,
        "part": parts.choices.first().slug,
    }


def test_invalid_choice_submitted_shows_the_error_on_the_same_step(client, demo):
    response = client.get(DEMO, {"where": "teleport", "from": "where"})
    assert response.status_code == 200
    assertContains(response, "That answer is not one of the choices; pick one of these.")
    assertContains(response, "Question 1 ·")
    assertNotContains(response, "teleport")
    assertNotContains(response, 'role="alert"')  # the form's error says it, once


def test_malformed_query_string_is_not_an_error(client, demo):
    for url in (DEMO, REVIEW, FINISH):
        assert client.get(url + "?%ff%fe=%00&&=&step&return").status_code in (200, 302)


# A tampered finish re-renders a step (with a notice or an error) and saves nothing.
TAMPERED_FINISH = {
    "unknown from": (
        {"from": "no-such-step"},
        "{q1}",
        "We ignored a step that is not part of this wizard.",
    ),
    "invalid choice": (
        {"{q1}": "teleport", "from": "{q1}"},
        "{q1}",
        "That answer is not one of the choices; pick one of these.",
    ),
    "duplicate answers": (
        {"{q1}": ["{c1}", "{c2}"]},
        "{q1}",
        "We ignored your answers to “{q1_prompt}” because there were several; "
        "please answer it again.",
    ),
    "huge answer": (
        {"{q1}": "x" * 20_000},
        "{q1}",
        "We ignored a value that was far too long to be an answer.",
    ),
}


@pytest.mark.parametrize(
    "data, step, message", TAMPERED_FINISH.values(), ids=TAMPERED_FINISH.keys()
)
def test_tampered_finish_posts_re_render_a_step_and_save_nothing(client, demo, data, step, message):
    fill = _filler(demo)
    response = client.post(FINISH, {fill(k): fill(v) for k, v in data.items()})
    assert response.status_code == 200
    assert step_form(response.content.decode()).radios[0][0] == fill(step)
    assertContains(response, fill(message), count=1, html=True)
    assert not Result.objects.exists()


@pytest.mark.parametrize("tamper", ["unknown from", "answer that does not apply"])
def test_a_complete_finish_with_a_tampered_part_saves_nothing(client, demo, tamper):
    names = _names(demo)
    data = dict(ANSWERS)
    if tamper == "unknown from":
        data["from"] = "no-such-step"
    else:
        data[names["follow_up"]] = names["follow_up_choice"]  # traffic is spiky
    response = client.post(FINISH, data)
    assert response.status_code == 200
    assertContains(response, 'role="alert"', count=1)
    assertContains(response, heading("Check your answers"), html=True)
    assert not Result.objects.exists()


def test_unknown_keys_in_a_finish_post_are_ignored(client, demo):
    response = client.post(FINISH, {"x" * 300: "y", "utm_source": "mail"})
    assert response.status_code == 302  # nothing answered yet: back to the first question
    assert response["Location"] == f"{DEMO}?step=where"
    assert not Result.objects.exists()

    response = client.post(FINISH, {**ANSWERS, "x" * 300: "y"})
    assert response.status_code == 302
    assert response["Location"] == Result.objects.get().get_absolute_url()


def test_wrong_methods_are_refused(client, demo):
    assert client.post(DEMO).status_code == 405
    assert client.post(REVIEW, ANSWERS).status_code == 405
    assert client.put(FINISH, ANSWERS).status_code == 405
    assert client.delete(FINISH).status_code == 405
    assert not Result.objects.exists()


def test_wizard_for_unknown_comparison_is_404(client):
    assert client.get("/nothing-here/wizard/").status_code == 404
    assert client.get("/nothing-here/wizard/review/").status_code == 404


def test_comparison_without_questions_has_no_wizard(client):
    load_data(comparison_data(questions=0))
    assert client.get("/demo/wizard/").status_code == 404
    assert client.get("/demo/wizard/review/").status_code == 404


@pytest.mark.parametrize(
    "token", ["unknown-token-123456789012", "x" * 65, "%00", "..", "a b"], ids=str
)
def test_unknown_or_malformed_token_is_a_friendly_404(client, flagship, token):
    response = client.get(f"/kubernetes-vs-serverless/results/{token}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="/"' in html


# Results and their permalinks


@pytest.fixture
def result(client, flagship):
    response = walk(client, WIZARD, lambda form: form.choices[-2])
    return Result.objects.get(token=response["Location"].split("/")[-2])


def test_result_page_names_what_was_ruled_out_and_why(client, result):
    recommendation = read_snapshot(result.snapshot).recommendation
    page = client.get(result.get_absolute_url())
    ruled = _section(page.content.decode(), 'id="ruled-heading"', "</section>")
    assert recommendation.ruled_out
    for slug, reasons in recommendation.ruled_out.items():
        assert (
            escape(Option.objects.get(comparison__slug=result.comparison_slug, slug=slug).name)
            in ruled
        )
        for reason in reasons:
            assert escape(reason) in ruled
    assert result.outcome not in recommendation.ruled_out


def _section(html: str, start: str, end: str) -> str:
    """The markup from `start` to the first `end` after it."""
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def test_change_an_answer_opens_the_review_page_with_the_answers_kept(client, result):
    html = client.get(result.get_absolute_url()).content.decode()
    href = unescape(re.search(r'href="([^"]+)"[^>]*>Change an answer', html).group(1))
    assert urlsplit(href).path == "/kubernetes-vs-serverless/wizard/review/"
    model = services.cached_content(result.comparison_slug).model
    assert steps.parse(model, parse_qsl(urlsplit(href).query)).answers == result.answers
    review = client.get(href)
    assert review.status_code == 200
    changes = re.findall(r'href="([^"]+)"[^>]*>Change<', review.content.decode())
    assert len(changes) == len(result.answers)
    assert all("return=review" in unescape(url) for url in changes)


def test_permalink_survives_a_content_edit(client, result):
    changed = Option.objects.get(comparison__slug="kubernetes-vs-serverless", slug="kubernetes")
    old_tagline = changed.tagline
    old_assessment = changed.assessments.first().text
    why_before = client.get(result.get_absolute_url()).content.decode().split('id="why-heading"')[1]
    changed.tagline = "A completely different tagline."
    changed.save()
    for assessment in changed.assessments.all():
        assessment.text = "Rewritten assessment."
        assessment.save()

    page = client.get(result.get_absolute_url())
    html = page.content.decode()
    assert "has been updated since this result was saved" in html
    assert "Re-run the same answers on today\u2019s content" in html
    assertNotContains(page, "Rewritten assessment.")
    assertContains(page, old_assessment, html=True)
    assert html.split('id="why-heading"')[1].split("Saved ")[0] == why_before.split("Saved ")[0]
    adr = client.get(result.get_absolute_url() + "adr.md").content.decode()
    assert old_tagline in adr and "A completely different tagline." not in adr


def test_rerun_link_reaches_the_review_step(client, result):
    option = Option.objects.get(slug="kubernetes")
    option.tagline = "Changed."
    option.save()
    html = client.get(result.get_absolute_url()).content.decode()
    href = unescape(re.search(r'href="([^"]+)">Re-run the same answers', html).group(1))
    review = client.get(href, follow=True).content.decode()
    assert "Check your answers" in review
    assert step_form(review).method == "post"


# Constant query counts, whatever the size of the content


def _queries(client, url, **kwargs) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **kwargs)
        assert response.status_code in (200, 302)
    return len(context.captured_queries)


def _cold_then_warm(client, url, **kwargs) -> tuple[int, int]:
    """Queries for a request with every cache empty, then for the same request again."""
    cache.clear()
    services.forget()
    return _queries(client, url, **kwargs), _queries(client, url, **kwargs)


def test_wizard_and_result_query_counts_do_not_grow_with_content(client):
    small = load_data(comparison_data("small", dimensions=3, questions=3, faq=2))
    large = load_data(
        comparison_data("large", options=4, dimensions=60, questions=60, faq=60, points=30)
    )
    for slug in (small.slug, large.slug):
        assert walk(client, f"/{slug}/wizard/").status_code == 302
    counts = {}
    for comparison in (small, large):
        base = f"/{comparison.slug}/wizard/"
        result = Result.objects.get(comparison=comparison)
        counts[comparison.slug] = {
            "first step": _cold_then_warm(client, base),
            "later step": _cold_then_warm(
                client, base, data={"question-1": "favour-option-2", "step": "question-3"}
            ),
            "review": _cold_then_warm(client, base + "review/", data={**result.answers}),
            "submitted step": _cold_then_warm(
                client, base, data={"question-1": "favour-option-1", "from": "question-1"}
            ),
            "result": _cold_then_warm(client, result.get_absolute_url()),
            "adr": _cold_then_warm(client, result.get_absolute_url() + "adr.md"),
        }
    cold = {slug: {page: c for page, (c, _) in pages.items()} for slug, pages in counts.items()}
    warm = {slug: {page: w for page, (_, w) in pages.items()} for slug, pages in counts.items()}
    assert cold["small"] == cold["large"]
    assert warm["small"] == warm["large"]
    for page in ("first step", "later step", "review", "submitted step", "result"):
        assert warm["large"][page] < cold["large"][page], page  # the content came from cache
