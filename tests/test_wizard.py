"""The wizard as a browser without JavaScript uses it, plus its htmx fragments and bad input."""

import re
from html import unescape
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
from decision.engine import NOT_SURE, NOT_SURE_LABEL
from decision.models import Choice, FaqEntry, Option, Result
from decision.snapshot import read_snapshot
from decision.wizard import MAX_PARAMS
from tests.factories import comparison_data, load_data, load_flagship
from tests.forms_html import step_form

pytestmark = pytest.mark.django_db

WIZARD = "/kubernetes-vs-serverless/wizard/"


@pytest.fixture
def flagship():
    return load_flagship()


def walk(client, start, pick=lambda form: form.choices[0], limit=100):
    """Answer every step by submitting its form as a browser would; return the final response."""
    response = client.get(start)
    for _ in range(limit):
        assert response.status_code == 200, response
        html = response.content.decode()
        form = step_form(html)
        choice = pick(form) if form.radios else None
        if form.method == "post":
            response = client.post(form.action, dict_list(form.data(choice)))
        else:
            response = client.get(form.action, dict_list(form.data(choice)))
        if response.status_code == 302:
            if "/results/" in response["Location"]:
                return response
            response = client.get(response["Location"])
    raise AssertionError("the wizard never finished")


def dict_list(pairs):
    """Pairs to the dict-of-lists the test client encodes as repeated fields."""
    data = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def test_whole_wizard_without_javascript(client, flagship):
    seen_steps = []

    def pick(form):
        seen_steps.append(form.hidden[-1][1])  # the "from" field names the question
        return form.choices[0]

    response = walk(client, WIZARD, pick)
    assert response.status_code == 302
    result = Result.objects.get()
    assert response["Location"] == f"/kubernetes-vs-serverless/results/{result.token}/"
    assert len(result.token) >= 32  # 24 random bytes, URL-safe: 192 bits
    assert set(result.answers) == set(seen_steps)

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    listed = html.split('id="answers-heading"')[1].split("</dl>")[0]
    prompts = [q.prompt for q in flagship.questions.all() if q.slug in seen_steps]
    positions = [listed.find(escape(p)) for p in prompts]
    assert -1 not in positions and positions == sorted(positions)  # in the order asked
    assert "Why" in html and "What would change it" in html
    assert 'href="/kubernetes-vs-serverless/results/' in html  # ADR link
    assert "Matters for you" in html


def test_first_step_shows_progress_and_a_labelled_radio_group(client, flagship):
    response = client.get(WIZARD)
    html = response.content.decode()
    total = flagship.questions.filter(show_if__isnull=True).count()
    assert f"Step 1 of {total}" in html
    assert f'<progress max="{total}" value="1"' in html
    assert "<fieldset" in html and "<legend>" in html
    question = flagship.questions.first()
    assertContains(
        response, f'<h1 id="question-heading" tabindex="-1">{question.prompt}</h1>', html=True
    )
    form = step_form(html)
    assert form.choices[-1] == "not-sure"
    assert len(form.choices) == question.choices.count() + 1


def test_each_step_url_restores_it_with_its_answer_selected(client, flagship):
    first, second = flagship.questions.filter(show_if__isnull=True)[:2]
    choice = first.choices.last().slug
    response = client.get(WIZARD, {first.slug: choice, "step": first.slug})
    form = step_form(response.content.decode())
    assert form.checked == choice
    assert "Step 1 of" in response.content.decode()

    response = client.get(WIZARD, {first.slug: choice})
    assertContains(
        response, f'<h1 id="question-heading" tabindex="-1">{second.prompt}</h1>', html=True
    )
    back = step_form(response.content.decode())
    assert (first.slug, choice) in back.hidden  # the answer so far travels with the form


def test_submitting_a_step_redirects_to_the_next_step_url(client, flagship):
    first, second = flagship.questions.filter(show_if__isnull=True)[:2]
    choice = first.choices.first().slug
    response = client.get(WIZARD, {first.slug: choice, "from": first.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{WIZARD}?{urlencode({first.slug: choice})}&step={second.slug}"


def test_submitting_without_a_choice_shows_an_inline_error(client, flagship):
    first = flagship.questions.first()
    response = client.get(WIZARD, {"from": first.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="field-error" id="step-error">Choose one of the answers' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'<fieldset aria-describedby="step-error[^"]*" aria-invalid="true">', html)
    assert "Step 1 of" in html


def test_follow_up_question_appears_only_after_its_answer(client, flagship):
    follow_up = flagship.questions.exclude(show_if=None).select_related("show_if__question")[0]
    trigger = follow_up.show_if
    other = trigger.question.choices.exclude(pk=trigger.pk).first()

    heading = f'<h1 id="question-heading" tabindex="-1">{follow_up.prompt}</h1>'
    shown = client.get(WIZARD, {trigger.question.slug: trigger.slug, "step": follow_up.slug})
    assertContains(shown, heading, html=True)

    hidden = client.get(WIZARD, {trigger.question.slug: other.slug, "step": follow_up.slug})
    assertContains(hidden, 'role="alert"', count=1)
    assertNotContains(hidden, heading, html=True)
    assertNotContains(hidden, escape(follow_up.prompt))


def test_htmx_step_is_a_fragment_and_pushes_the_url(client, flagship):
    first, second = flagship.questions.filter(show_if__isnull=True)[:2]
    choice = first.choices.first().slug
    response = client.get(
        WIZARD, {first.slug: choice, "from": first.slug}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assertContains(
        response, f'<h1 id="question-heading" tabindex="-1">{second.prompt}</h1>', html=True
    )
    assert (
        response["HX-Push-Url"] == f"{WIZARD}?{urlencode({first.slug: choice})}&step={second.slug}"
    )
    assert 'hx-swap-oob="innerHTML">Step 2 of' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, flagship):
    response = client.get(
        WIZARD, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_htmx_finish_redirects_with_hx_redirect(client, flagship):
    answers = _all_answers(flagship)
    response = client.post(
        reverse("decision:wizard_finish", args=[flagship.slug]),
        answers,
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    token = Result.objects.get().token
    assert response["HX-Redirect"] == f"/kubernetes-vs-serverless/results/{token}/"


def test_finish_without_csrf_token_is_refused(flagship):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("decision:wizard_finish", args=[flagship.slug]), _all_answers(flagship)
    )
    assert response.status_code == 403
    assert not Result.objects.exists()


def test_last_step_form_posts_with_a_csrf_token(client, flagship):
    answers = _all_answers(flagship)
    last = list(answers)[-1]
    html = client.get(WIZARD, {**answers, "step": last}).content.decode()
    form = step_form(html)
    assert form.method == "post"
    assert form.action == reverse("decision:wizard_finish", args=[flagship.slug])
    assert any(name == "csrfmiddlewaretoken" for name, _ in form.hidden)


def test_finish_asks_a_follow_up_that_the_last_answer_opened(client):
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


def _all_answers(comparison) -> dict[str, str]:
    """Answer "not sure" to every question that applies (follow-ups then do not apply)."""
    return {q.slug: "not-sure" for q in comparison.questions.filter(show_if__isnull=True)}


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
}


@pytest.mark.parametrize("params, notice, never", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_wizard_urls_get_a_notice(client, flagship, params, notice, never):
    fill = _filler(flagship)
    query = {fill(key): fill(value) for key, value in params.items()}
    response = client.get(WIZARD, query)
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
def test_unknown_keys_are_dropped_silently(client, flagship, extra):
    first, second = flagship.questions.filter(show_if__isnull=True)[:2]
    known = [(first.slug, first.choices.last().slug), ("step", second.slug)]
    clean = client.get(f"{WIZARD}?{urlencode(known)}")
    assert clean.status_code == 200
    pages = _stored_pages()

    # The planted keys come first and the known ones in reverse order.
    response = client.get(f"{WIZARD}?{urlencode([*extra, *reversed(known)])}")
    assert response.status_code == 200
    assertNotContains(response, 'role="alert"')
    for key, value in extra:
        assertNotContains(response, key[:60])
        assertNotContains(response, escape(key[:60]))
        assertNotContains(response, urlencode({key[:60]: value})[:60])
    assert response.content == clean.content
    assertContains(
        response, f'<h1 id="question-heading" tabindex="-1">{second.prompt}</h1>', html=True
    )
    assert _stored_pages() == pages  # no cache entry of its own


def test_a_plain_step_is_cached_once_under_its_canonical_address(client, flagship):
    first, second, third = flagship.questions.filter(show_if__isnull=True)[:3]
    answers = [(first.slug, first.choices.first().slug), (second.slug, NOT_SURE)]
    canonical = f"{WIZARD}?{urlencode([*answers, ('step', third.slug)])}"
    page = client.get(canonical)
    assert page.status_code == 200
    [stored] = _stored_pages()

    for url in (
        f"{WIZARD}?{urlencode([('step', third.slug), *reversed(answers)])}",
        f"{WIZARD}?{urlencode([('utm_source', 'feed'), *answers, ('step', third.slug)])}",
    ):
        again = client.get(url)
        assert again.content == page.content, url
    assert _stored_pages() == {stored}

    # Pages about one request are rendered fresh and never stored.
    notice = client.get(canonical + f"&{first.slug}=teleport")
    assertContains(notice, 'role="alert"', count=1)
    error = client.get(f"{WIZARD}?{urlencode([*answers, ('from', third.slug)])}")
    assertContains(error, 'id="step-error"')
    restore = client.get(
        canonical, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assertContains(restore, "<html")
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
    }


def test_invalid_choice_submitted_shows_the_error_on_the_same_step(client, flagship):
    first = flagship.questions.first()
    response = client.get(WIZARD, {first.slug: "teleport", "from": first.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That answer is not one of the choices; pick one of these." in html
    assert "Step 1 of" in html


def test_malformed_query_string_is_not_an_error(client, flagship):
    response = client.get(WIZARD + "?%ff%fe=%00&&=&step")
    assert response.status_code == 200


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
def test_tampered_finish_posts_re_render_a_step_and_save_nothing(
    client, flagship, data, step, message
):
    fill = _filler(flagship)
    response = client.post(
        reverse("decision:wizard_finish", args=[flagship.slug]),
        {fill(k): fill(v) for k, v in data.items()},
    )
    assert response.status_code == 200
    assert step_form(response.content.decode()).radios[0][0] == fill(step)
    assertContains(response, fill(message), count=1, html=True)
    assert not Result.objects.exists()


@pytest.mark.parametrize("tamper", ["unknown from", "answer that does not apply"])
def test_a_complete_finish_with_a_tampered_part_saves_nothing(client, flagship, tamper):
    """Complete answers plus one bad part: the notice must be read before anything is saved."""
    names = _names(flagship)
    data = _all_answers(flagship)
    if tamper == "unknown from":
        data["from"] = "no-such-step"
    else:
        data[names["trigger_q"]] = names["other_choice"]
        data[names["follow_up"]] = names["follow_up_choice"]
    response = client.post(reverse("decision:wizard_finish", args=[flagship.slug]), data)
    assert response.status_code == 200
    assertContains(response, 'role="alert"', count=1)
    assert not Result.objects.exists()


def test_unknown_keys_in_a_finish_post_are_ignored(client, flagship):
    url = reverse("decision:wizard_finish", args=[flagship.slug])
    first = flagship.questions.first()
    response = client.post(url, {"x" * 300: "y", "utm_source": "mail"})
    assert response.status_code == 302  # nothing answered yet: back to the first question
    assert response["Location"] == f"{WIZARD}?step={first.slug}"
    assert not Result.objects.exists()

    response = client.post(url, {**_all_answers(flagship), "x" * 300: "y"})
    assert response.status_code == 302
    assert response["Location"] == Result.objects.get().get_absolute_url()


def test_wrong_methods_are_refused(client, flagship):
    finish = reverse("decision:wizard_finish", args=[flagship.slug])
    assert client.post(WIZARD).status_code == 405
    assert client.put(finish, _all_answers(flagship)).status_code == 405
    assert client.delete(finish).status_code == 405
    assert not Result.objects.exists()


def test_finish_opened_as_a_page_leads_back_into_the_wizard_and_saves_nothing(client, flagship):
    finish = reverse("decision:wizard_finish", args=[flagship.slug])
    answers = _all_answers(flagship)
    response = client.get(finish, dict(reversed(answers.items())))
    assert response.status_code == 302
    assert response["Location"] == f"{WIZARD}?{urlencode(answers)}"  # the review step
    review = client.get(response["Location"])
    assert step_form(review.content.decode()).method == "post"
    assert not Result.objects.exists()


def test_wizard_for_unknown_comparison_is_404(client):
    assert client.get("/nothing-here/wizard/").status_code == 404


def test_comparison_without_questions_has_no_wizard(client):
    load_data(comparison_data(questions=0))
    assert client.get("/demo/wizard/").status_code == 404


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


def test_result_page_explains_itself(client, flagship):
    # Answering the first choice everywhere gives a recommendation that two answers could flip.
    response = walk(client, WIZARD, lambda form: form.choices[0])
    found = Result.objects.get(token=response["Location"].split("/")[-2])
    recommendation = read_snapshot(found.snapshot).recommendation
    options = {option.slug: option for option in flagship.options.all()}
    prompts = {question.slug: question.prompt for question in flagship.questions.all()}
    labels = {
        (choice.question.slug, choice.slug): choice.label
        for choice in Choice.objects.filter(question__comparison=flagship).select_related(
            "question"
        )
    }
    page = client.get(found.get_absolute_url())
    html = page.content.decode()

    outcome = options[found.outcome]
    assert escape(outcome.name) in _section(html, "<h1>", "</h1>")
    assertContains(page, outcome.tagline, html=True)
    assertContains(page, f"{round(recommendation.confidence * 100)}%")
    bars = _section(html, 'class="score-bars"', "</ul>")
    winning = _section(bars, 'class="is-outcome"', "</li>")
    assert escape(outcome.name) in winning
    for option in options.values():
        assert escape(option.name) in bars

    why = _section(html, 'id="why-heading"', "</section>")
    assert recommendation.contributions
    for contribution in recommendation.contributions:
        assert escape(labels[contribution.question, contribution.choice]) in why
        assert escape(prompts[contribution.question]) in why
        assert escape(contribution.why) in why

    changes = _section(html, 'id="change-heading"', "</section>")
    items = changes.split("<li>")[1:]
    assert len(items) == len(recommendation.flips) > 0
    for flip, item in zip(recommendation.flips, items, strict=True):
        assert escape(prompts[flip.question]) in item
        assert escape(labels[flip.question, flip.from_choice]) in item
        assert escape(labels[flip.question, flip.to_choice]) in item
        assert escape(options[flip.outcome].name) in item
        assert flip.outcome != found.outcome

    given = _section(html, 'id="answers-heading"', "</dl>")
    for slug, choice in found.answers.items():
        label = NOT_SURE_LABEL if choice == NOT_SURE else labels[slug, choice]
        assert f"<dt>{escape(prompts[slug])}</dt><dd>{escape(label)}</dd>" in given

    assertContains(page, f'href="{found.get_absolute_url()}adr.md"')
    for entry in FaqEntry.objects.filter(comparison=flagship):
        assertContains(page, entry.question, html=True)


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


def test_change_my_answers_goes_back_into_the_wizard_with_answers_kept(client, result):
    html = client.get(result.get_absolute_url()).content.decode()
    href = unescape(re.search(r'href="([^"]+)">Change my answers', html).group(1))
    query = dict(parse_qsl(urlsplit(href).query))
    assert {k: v for k, v in query.items() if k != "step"} == result.answers
    step = client.get(href)
    form = step_form(step.content.decode())
    assert form.checked == result.answers[query["step"]]


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
    review = client.get(href).content.decode()
    assert "Ready for your recommendation" in review
    assert step_form(review).method == "post"


def test_adr_is_markdown_with_every_madr_section_filled(client, result):
    from markdown_it import MarkdownIt

    response = client.get(result.get_absolute_url() + "adr.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="adr-')
    text = response.content.decode()

    tokens = MarkdownIt().parse(text)
    sections: dict[str, list[str]] = {}
    current = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            current = tokens[index + 1].content
            sections[current] = []
        elif token.type == "inline" and current and tokens[index - 1].type != "heading_open":
            sections[current].append(token.content)
    titles = list(sections)
    assert titles[0].startswith("Choose ") or titles[0].startswith("Use both")
    for title in (
        "Context and Problem Statement",
        "Decision Drivers",
        "Considered Options",
        "Decision Outcome",
        "Consequences",
        "Pros and Cons of the Options",
        "Kubernetes",
        "Serverless",
    ):
        assert title in sections, titles
        assert any(line.strip() for line in sections[title]), f"{title} is empty"
    assert "* Status: proposed" in text
    assert result.get_absolute_url() in text


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
            "review": _cold_then_warm(client, base, data={**result.answers}),
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
