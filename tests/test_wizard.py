"""The wizard as a browser without JavaScript uses it, plus its htmx fragments and bad input."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decision.models import Option, Result
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
    positions = [listed.find(p.replace("'", "&#x27;")) for p in prompts]
    assert -1 not in positions and positions == sorted(positions)  # in the order asked
    assert "Why" in html and "What would change it" in html
    assert 'href="/kubernetes-vs-serverless/results/' in html  # ADR link
    assert "Matters for you" in html


def test_first_step_shows_progress_and_a_labelled_radio_group(client, flagship):
    html = client.get(WIZARD).content.decode()
    total = flagship.questions.filter(show_if__isnull=True).count()
    assert f"Step 1 of {total}" in html
    assert f'<progress max="{total}" value="1"' in html
    assert "<fieldset" in html and "<legend>" in html
    question = flagship.questions.first()
    assert f'<h1 id="question-heading" tabindex="-1">{question.prompt}</h1>' in html.replace(
        "&#x27;", "'"
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
    assert f">{second.prompt}</h1>" in response.content.decode().replace("&#x27;", "'")
    assert "Back" in response.content.decode()


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

    shown = client.get(WIZARD, {trigger.question.slug: trigger.slug, "step": follow_up.slug})
    assert f">{follow_up.prompt}</h1>" in shown.content.decode().replace("&#x27;", "'")

    hidden = client.get(WIZARD, {trigger.question.slug: other.slug, "step": follow_up.slug})
    assert "That step does not apply to your answers" in hidden.content.decode()
    assert f">{follow_up.prompt}</h1>" not in hidden.content.decode()


def test_htmx_step_is_a_fragment_and_pushes_the_url(client, flagship):
    first, second = flagship.questions.filter(show_if__isnull=True)[:2]
    choice = first.choices.first().slug
    response = client.get(
        WIZARD, {first.slug: choice, "from": first.slug}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assert 'id="question-heading"' in html
    assert f">{second.prompt}</h1>" in html.replace("&#x27;", "'")
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


# Tampering: every kind of bad input gets a notice or a 4xx, never a 500.

TAMPERED = {
    "unknown question": ({"colour": "blue"}, "We ignored “colour”, which is not one of our"),
    "unknown choice": ({"{q1}": "teleport"}, "that is not one of its choices"),
    "duplicate answers": ({"{q1}": ["{c1}", "{c2}"]}, "because there were several"),
    "huge value": ({"{q1}": "x" * 20_000}, "far too long to be an answer"),
    "huge key": ({"k" * 5000: "1"}, "far too long to be an answer"),
    "too many parameters": ({f"p{n}": "1" for n in range(300)}, "too many parts"),
    "unknown step": ({"step": "nope"}, "We ignored a step that is not part of this wizard"),
    "repeated step": ({"step": ["{q1}", "{q2}"]}, "We ignored a repeated “step”"),
    "unknown from": ({"from": "nope"}, "We ignored a step that is not part of this wizard"),
    "answer to a question that does not apply": (
        {"{follow_up}": "{follow_up_choice}", "{trigger_q}": "{other_choice}"},
        "which does not apply to your other answers",
    ),
    "step that does not apply": (
        {"step": "{follow_up}", "{trigger_q}": "{other_choice}"},
        "That step does not apply to your answers",
    ),
    "null byte": ({"{q1}": "a\x00b"}, "that is not one of its choices"),
}


@pytest.mark.parametrize("params, notice", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_wizard_urls_get_a_notice(client, flagship, params, notice):
    names = _names(flagship)

    def fill(text):
        return text.format(**names) if isinstance(text, str) else [fill(t) for t in text]

    query = {fill(key): fill(value) for key, value in params.items()}
    response = client.get(WIZARD, query)
    assert response.status_code == 200
    assert notice in response.content.decode().replace("&#x27;", "'")


def _names(comparison) -> dict[str, str]:
    first, second = comparison.questions.filter(show_if__isnull=True)[:2]
    follow_up = comparison.questions.exclude(show_if=None).select_related("show_if__question")[0]
    trigger = follow_up.show_if
    return {
        "q1": first.slug,
        "q2": second.slug,
        "c1": first.choices.all()[0].slug,
        "c2": first.choices.all()[1].slug,
        "follow_up": follow_up.slug,
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


@pytest.mark.parametrize(
    "data",
    [
        {"from": "nope"},
        {"x" * 300: "y"},
        {"{q1}": "teleport", "from": "{q1}"},
        {"{q1}": ["{c1}", "{c2}"]},
    ],
    ids=["unknown from", "junk key", "invalid choice", "duplicate answers"],
)
def test_tampered_finish_posts_never_fail(client, flagship, data):
    names = _names(flagship)

    def fill(text):
        return text.format(**names) if isinstance(text, str) else [fill(t) for t in text]

    response = client.post(
        reverse("decision:wizard_finish", args=[flagship.slug]),
        {fill(k): fill(v) for k, v in data.items()},
    )
    assert response.status_code in (200, 302)


def test_wrong_methods_are_refused(client, flagship):
    assert client.post(WIZARD).status_code == 405
    assert client.get(reverse("decision:wizard_finish", args=[flagship.slug])).status_code == 405


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


def test_result_page_explains_itself(client, result):
    html = client.get(result.get_absolute_url()).content.decode()
    assert "Confidence" in html and "%" in html
    assert 'class="score-bars"' in html
    assert re.search(r"score -?\d", html)  # the bars' text equivalent
    assert "You said" in html
    assert "Change my answers" in html and "Start over" in html
    assert "Download the decision record (ADR)" in html
    assert html.count("<details>") >= 8  # the FAQ


def test_change_my_answers_goes_back_into_the_wizard_with_answers_kept(client, result):
    html = client.get(result.get_absolute_url()).content.decode()
    href = re.search(r'href="([^"]+)">Change my answers', html).group(1).replace("&amp;", "&")
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

    html = client.get(result.get_absolute_url()).content.decode()
    assert "has been updated since this result was saved" in html
    assert "Re-run the same answers on today\u2019s content" in html
    assert "Rewritten assessment." not in html
    assert old_assessment.replace("'", "&#x27;") in html
    assert html.split('id="why-heading"')[1].split("Saved ")[0] == why_before.split("Saved ")[0]
    adr = client.get(result.get_absolute_url() + "adr.md").content.decode()
    assert old_tagline in adr and "A completely different tagline." not in adr


def test_rerun_link_reaches_the_review_step(client, result):
    option = Option.objects.get(slug="kubernetes")
    option.tagline = "Changed."
    option.save()
    html = client.get(result.get_absolute_url()).content.decode()
    href = re.search(r'href="([^"]+)">Re-run the same answers', html).group(1).replace("&amp;", "&")
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
        counts[comparison.slug] = (
            _queries(client, base),
            _queries(client, base, data={"question-1": "favour-option-2", "step": "question-3"}),
            _queries(client, base, data={**result.answers}),
            _queries(client, base, data={"question-1": "favour-option-1", "from": "question-1"}),
            _queries(client, result.get_absolute_url()),
            _queries(client, result.get_absolute_url() + "adr.md"),
        )
    assert counts["small"] == counts["large"]
