"""The result page and its ADR: a placement for each part, certainty in words, nearest flips."""

import re

import pytest
from django.urls import reverse

from decision.content.schema import validate
from decision.models import Result
from decision.presenters import MAX_CHANGES
from decision.services import comparison_content, create_result
from decision.short_answer import first_sentences
from tests.factories import load_data
from tests.placement_fixture import COMBINE_ANSWERS, SINGLE_ANSWERS, placement_data

pytestmark = pytest.mark.django_db


def _content():
    content, problems = validate(placement_data())
    assert not problems
    return content


def _part_label(slug: str) -> str:
    parts = next(q for q in placement_data()["questions"] if q.get("multiple"))
    return next(c["label"] for c in parts["choices"] if c["slug"] == slug)


def _option_name(slug: str) -> str:
    return next(o["name"] for o in placement_data()["options"] if o["slug"] == slug)


def _result(answers) -> Result:
    load_data(placement_data())
    return create_result(comparison_content("placing"), answers)


def _page(client, result) -> str:
    response = client.get(result.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_a_combine_result_shows_each_part_where_it_goes_with_a_diagram(client):
    result = _result(COMBINE_ANSWERS)
    assert result.outcome == "combine"
    html = _page(client, result)
    placement = _section(html, "placement-heading")
    table = _text(placement[: placement.index("</table>")])
    web, events = _part_label("web-api"), _part_label("events")
    cluster, functions = _option_name("cluster"), _option_name("functions")
    # Each part's row names the option it goes to, in that order.
    assert re.search(rf"{re.escape(web)} {cluster}\b", table)
    assert re.search(rf"{re.escape(events)} {functions}\b", table)
    # The diagram says the same in its accessible description, and draws one box per part.
    description = re.search(r"<desc[^>]*>(.*?)</desc>", placement, re.S).group(1)
    assert f"{web} goes to {cluster}" in description
    assert f"{events} goes to {functions}" in description
    assert placement.count('class="map__box') == 2
    assert 'style="' not in placement  # the CSP forbids inline styles
    assert placement_data()["integration_advice"] in _text(placement)


def test_a_caveat_names_the_form_that_fits_for_the_parts_it_concerns(client):
    html = _page(client, _result(COMBINE_ANSWERS))
    caveats = _text(_section(html, "caveats-heading"))
    duration = next(q for q in placement_data()["questions"] if q["slug"] == "duration")
    caveat = duration["choices"][1]["caveats"][0]
    assert caveat["form"] in caveats
    assert caveat["text"] in caveats
    assert _part_label("events").lower() in caveats.lower()
    assert "November 2026" in caveats


def test_a_single_part_result_names_one_option_and_says_its_certainty_in_words(client):
    result = _result(SINGLE_ANSWERS)
    assert result.outcome == "functions"
    html = _page(client, result)
    hero = _text(html[html.index("<h1") : html.index('id="placement-heading"')])
    assert f"Choose {_option_name('functions')}" in hero
    assert f"Runner-up: {_option_name('cluster')}" in hero
    assert "%" not in hero and "score" not in hero.lower()
    assert 'class="map"' not in html  # one part needs no diagram


def test_a_ruled_out_runner_up_is_shown_with_its_reason_never_as_certainty(client):
    result = _result({"location": "own-hardware"})
    assert result.outcome == "cluster"
    html = _text(_page(client, result))
    reason = placement_data()["questions"][0]["choices"][1]["rules_out"][0]["reason"]
    assert f"Ruled out: {_option_name('functions')}. {reason}" in html
    assert "100" not in html


def test_everything_not_sure_is_not_enough_to_go_on_with_what_to_answer(client):
    answers = {q["slug"]: "not-sure" for q in placement_data()["questions"]}
    result = _result(answers)
    assert result.outcome == "not-enough"
    html = _page(client, result)
    text = _text(html)
    assert "Not enough to go on" in text
    assert first_sentences(placement_data()["default_advice"]) in text
    for question in placement_data()["questions"]:
        if not question.get("parts"):
            assert question["prompt"] in text
    assert "Choose " not in _text(html[html.index("<h1") : html.index("</h1>")])
    assert 'id="placement-heading"' not in html


def test_what_matters_lists_only_dimensions_the_answers_point_at_with_direction(client):
    html = _page(client, _result(COMBINE_ANSWERS))
    matters = _text(_section(html, "matters-heading"))
    # Event handlers favour functions, which win "Cost when idle"; nothing said points at state.
    assert f"{_option_name('functions')} is stronger on cost when idle" in matters
    assert "Stateful" not in matters


def test_what_would_change_it_lists_at_most_five_sentences_about_the_visitor(client):
    html = _page(client, _result(COMBINE_ANSWERS))
    changes = re.findall(r"<li>(.*?)</li>", _section(html, "change-heading"), re.S)
    assert 1 <= len(changes) <= MAX_CHANGES
    assert all(change.startswith("If you") for change in changes)
    assert "score" not in " ".join(changes)


def test_the_change_an_answer_link_opens_check_your_answers(client):
    result = _result(SINGLE_ANSWERS)
    html = _page(client, result)
    review = reverse("decision:wizard_review", args=["placing"])
    assert f'href="{review}?location=cloud&amp;parts=web-api' in html


def test_an_old_snapshot_without_placements_still_renders(client):
    result = _result(SINGLE_ANSWERS)
    stored = result.recommendation
    for key in ("placements", "pointers", "caveats", "informative"):
        stored.pop(key, None)
    stored["scores"] = {"cluster": -1.0, "functions": 6.0}
    Result.objects.filter(pk=result.pk).update(recommendation=stored)
    html = _page(client, Result.objects.get(pk=result.pk))
    assert f"Choose {_option_name('functions')}" in html


# --- the ADR ---------------------------------------------------------------------------------


def _adr(client, result, **params):
    url = reverse("decision:result_adr", args=[result.comparison_slug, result.token])
    return client.get(url, params)


def test_the_adr_is_short_numbered_titled_and_lists_each_pro_once(client):
    result = _result(COMBINE_ANSWERS)
    response = _adr(client, result, title="Orders: where to run them", number="7", deciders="Ana")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="0007-orders-where-to-run-them.md"'
    )
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == "# 7. Orders: where to run them"
    assert "* Deciders: Ana" in text
    assert len(lines) < 80
    for option in placement_data()["options"]:
        for pro in option["pros"]:
            assert text.count(pro[1:]) == 1, pro  # once, whatever the case of its first letter
    # A pro starting with an acronym keeps it: "AWS-grade", never "aWS-grade".
    assert "Good, because AWS-grade" in text
    assert "score" not in text.lower()
    assert f"| {_part_label('web-api')} | {_option_name('cluster')} |" in text


def test_the_adr_title_defaults_to_the_system_parts(client):
    result = _result(COMBINE_ANSWERS)
    response = _adr(client, result)
    title = response.content.decode().splitlines()[0]
    assert _part_label("events").lower() in title.lower()
    assert re.fullmatch(
        r'attachment; filename="0001-[a-z0-9-]+\.md"', response["Content-Disposition"]
    )


def test_the_adr_escapes_a_visitor_title(client):
    result = _result(SINGLE_ANSWERS)
    text = _adr(client, result, title="# <b>Hi</b> [x](http://e.com)").content.decode()
    first = text.splitlines()[0]
    assert "<b>" not in first and "&lt;b&gt;" in first
    assert "\\[x\\](" in first  # the brackets are escaped: no link
    assert first.startswith("# 1. \\#")


@pytest.mark.parametrize("number", ["0", "10000", "seven", "-3"])
def test_a_bad_record_number_gets_a_clear_error_and_no_file(client, number):
    result = _result(SINGLE_ANSWERS)
    response = _adr(client, result, number=number)
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert "record number" in response.content.decode()


def test_a_snapshot_with_a_line_longer_than_todays_rules_still_renders(client):
    """Content saved before a length rule (SQLite never enforced the column) keeps its link."""
    result = _result(SINGLE_ANSWERS)
    snapshot = result.content
    long_why = "Because " + "it is long, " * 40
    snapshot.content["questions"][0]["choices"][0]["why"] = long_why
    snapshot.save(update_fields=["content"])
    html = _page(client, Result.objects.get(pk=result.pk))
    assert f"Choose {_option_name('functions')}" in html
