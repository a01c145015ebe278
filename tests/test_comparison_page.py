"""The public comparison page and the index, as a visitor's browser receives them."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from decision import services
from tests.factories import comparison_data, load_data, load_flagship

pytestmark = pytest.mark.django_db


class _Scan(HTMLParser):
    """Collect what a strict Content-Security-Policy cares about, plus JSON-LD blocks."""

    def __init__(self):
        super().__init__()
        self.style_attributes = 0
        self.inline_handlers = 0
        self.executable_inline_scripts = 0
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.style_attributes += "style" in attrs
        self.inline_handlers += any(name.startswith("on") for name in attrs)
        if tag == "style":
            self.style_attributes += 1
        if tag == "script":
            if attrs.get("type") == "application/ld+json":
                self._in_json_ld = True
                self.json_ld.append("")
            elif "src" not in attrs:
                self.executable_inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def scan(html: str) -> _Scan:
    parser = _Scan()
    parser.feed(html)
    return parser


@pytest.fixture
def flagship():
    return load_flagship()


def test_flagship_page_shows_every_dimension_with_its_winner(client, flagship):
    response = client.get("/kubernetes-vs-serverless/")
    assert response.status_code == 200
    html = response.content.decode()
    dimensions = list(flagship.dimensions.select_related("winner"))
    assert len(dimensions) == 10
    for dimension in dimensions:
        row = html.split(f'id="dimension-{dimension.slug}"')[1].split("</tr>")[0]
        assert f'<span class="dimension-name">{dimension.name}</span>' in row
        winner = dimension.winner.name if dimension.winner else "Tie"
        assert re.search(rf'<td data-label="Winner" class="winner">.*>{winner}</span>', row)


def test_table_is_accessible_markup(client, flagship):
    html = client.get("/kubernetes-vs-serverless/").content.decode()
    table = html.split("<table")[1].split("</table>")[0]
    assert "<caption" in table
    assert table.count('<th scope="col">') == 4  # dimension, two options, winner
    assert table.count('<th scope="row">') == 10


def test_page_shows_options_criteria_and_advice(client, flagship):
    response = client.get("/kubernetes-vs-serverless/")
    for option in flagship.options.all():
        assert f"Choose {option.name} when…" in response.content.decode()
        for criterion in option.criteria.all():
            assert criterion.text in response.content.decode()
        for point in option.points.all():
            assert point.text in response.content.decode()
        assert option.typical_cost in response.content.decode()
    assert flagship.default_advice.split("\n")[0] in response.content.decode()


def test_faq_is_native_details_and_valid_json_ld(client, flagship):
    html = client.get("/kubernetes-vs-serverless/").content.decode()
    entries = list(flagship.faq_entries.all())
    assert len(entries) >= 8
    assert html.count("<details>") >= len(entries)
    for entry in entries:
        assert f"<summary>{entry.question}</summary>".replace("'", "&#x27;").replace(
            '"', "&quot;"
        ) in html.replace("'", "&#x27;")

    [block] = scan(html).json_ld
    data = json.loads(block)
    assert data["@type"] == "FAQPage"
    assert [q["name"] for q in data["mainEntity"]] == [e.question for e in entries]
    assert all(q["acceptedAnswer"]["text"] for q in data["mainEntity"])


def test_json_ld_cannot_break_out_of_its_script(client):
    load_data(
        comparison_data(faq=0)
        | {"faq": [{"question": "</script><b>x", "answer": "a & b", "sources": []}]}
    )
    html = client.get("/demo/").content.decode()
    [block] = scan(html).json_ld
    assert "</script>" not in block
    assert json.loads(block)["mainEntity"][0]["name"] == "</script><b>x"


def test_meta_description_open_graph_and_wizard_link(client, flagship):
    html = client.get("/kubernetes-vs-serverless/").content.decode()
    assert re.search(r'<meta name="description" content="[^"]{50,}">', html)
    assert '<meta property="og:title" content="Kubernetes vs serverless' in html
    assert '<meta property="og:description"' in html
    assert 'href="/kubernetes-vs-serverless/wizard/"' in html


def test_no_inline_code_or_styles(client, flagship):
    for url in ("/", "/kubernetes-vs-serverless/"):
        found = scan(client.get(url).content.decode())
        assert found.style_attributes == 0, url
        assert found.inline_handlers == 0, url
        assert found.executable_inline_scripts == 0, url


def test_strict_csp_header(client, flagship):
    policy = client.get("/kubernetes-vs-serverless/")["Content-Security-Policy"]
    assert "default-src 'none'" in policy  # anything not listed is refused
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_index_lists_every_comparison(client, flagship):
    load_data(comparison_data("second-one"))
    response = client.get(reverse("decision:index"))
    assert response.status_code == 200
    assert 'href="/kubernetes-vs-serverless/"' in response.content.decode()
    assert 'href="/second-one/"' in response.content.decode()


def test_unknown_comparison_is_404(client):
    assert client.get("/no-such-thing/").status_code == 404


def test_a_three_option_comparison_renders(client):
    load_data(comparison_data(options=3))
    html = client.get("/demo/").content.decode()
    assert html.count('<th scope="col">') == 5
    assert "Choose Option 3 when…" in html


def _cold_then_warm(client, url) -> tuple[int, int]:
    """Queries for a request with every cache empty, then for the same request again."""
    cache.clear()
    services.forget()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def test_query_count_does_not_grow_with_content(client, flagship):
    load_data(
        comparison_data(
            "huge",
            options=4,
            dimensions=100,
            faq=130,
            points=70,
            criteria=50,
            questions=120,
            plans=5,
        )
    )
    cold, warm = _cold_then_warm(client, "/kubernetes-vs-serverless/")
    assert _cold_then_warm(client, "/huge/") == (cold, warm)
    assert warm == 0  # the content's version was read a moment ago: the page is in memory
    # The index: the latest edit, then comparisons with their options (cold).
    assert _cold_then_warm(client, "/") == (3, 1)


def test_cached_pages_cost_one_query_and_show_edits_at_once(client, flagship, settings):
    from decision.models import Option

    settings.CONTENT_RECHECK_SECONDS = 0  # read the content's version on every request
    assert client.get("/kubernetes-vs-serverless/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        response = client.get("/kubernetes-vs-serverless/")
    assert len(warm.captured_queries) == 1
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    settings.CONTENT_RECHECK_SECONDS = 1  # as deployed: edits made here still show at once

    option = Option.objects.get(comparison=flagship, slug="serverless")
    option.tagline = "A tagline written a moment ago."
    option.save()
    assert (
        "A tagline written a moment ago."
        in client.get("/kubernetes-vs-serverless/").content.decode()
    )

    criterion = option.criteria.first()
    criterion.text = "A criterion edited just now."
    criterion.save()
    assert (
        "A criterion edited just now." in client.get("/kubernetes-vs-serverless/").content.decode()
    )


def test_an_edit_made_by_another_process_shows_within_the_recheck_time(client, flagship, settings):
    """Another process's edit reaches this one only through the database: no signal here."""
    from decision.models import Comparison

    settings.CONTENT_RECHECK_SECONDS = 3600
    assert client.get("/kubernetes-vs-serverless/").status_code == 200
    Comparison.objects.filter(pk=flagship.pk).update(
        title="Edited elsewhere", updated_at=timezone.now() + timedelta(seconds=5)
    )
    with CaptureQueriesContext(connection) as trusted:
        assertNotContains(client.get("/kubernetes-vs-serverless/"), "Edited elsewhere")
    assert len(trusted.captured_queries) == 0
    settings.CONTENT_RECHECK_SECONDS = 0  # the recheck time has passed
    assertContains(client.get("/kubernetes-vs-serverless/"), "Edited elsewhere")


def test_conditional_get_answers_304_until_the_content_changes(client, flagship):
    from decision.models import FaqEntry

    first = client.get("/kubernetes-vs-serverless/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert (
        client.get("/kubernetes-vs-serverless/", headers={"If-None-Match": etag}).status_code == 304
    )
    assert (
        client.get(
            "/kubernetes-vs-serverless/", headers={"If-Modified-Since": modified}
        ).status_code
        == 304
    )
    entry = FaqEntry.objects.filter(comparison=flagship).first()
    entry.answer = "A fresher answer."
    entry.save()
    again = client.get("/kubernetes-vs-serverless/", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert "A fresher answer." in again.content.decode()
    assert again["ETag"] != etag


def test_head_requests_are_answered(client, flagship):
    response = client.head("/kubernetes-vs-serverless/")
    assert response.status_code == 200
    assert response.content == b""


def test_server_error_page_is_designed_and_offers_a_way_back(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html
    assert 'rel="stylesheet"' in html


def test_page_titles_are_plain_text(client, flagship):
    for url, title in (
        ("/", "Decision Wizard — compare how to run your application"),
        (
            "/kubernetes-vs-serverless/",
            "Kubernetes vs serverless: which to choose? — Decision Wizard",
        ),
    ):
        html = client.get(url).content.decode()
        assert re.search(r"<title>([^<]*)</title>", html).group(1) == title, url


# The short answer, the score and the sources line (issue 10, item 14).


def _normalized(text: str) -> str:
    return " ".join(text.split())


def _hero(html: str) -> str:
    return html.split('<section class="hero')[1].split("</section>")[0]


def test_first_sentences_keeps_two_sentences_and_collapses_line_breaks():
    from decision.short_answer import first_sentences

    assert first_sentences("One here.\nTwo there!  Three? Four.") == "One here. Two there!"
    assert first_sentences('Is it? "Yes." Then more.') == 'Is it? "Yes."'
    assert first_sentences("Only one sentence.") == "Only one sentence."
    assert first_sentences("No full stop at all") == "No full stop at all"
    assert first_sentences("A. B. C.", count=1) == "A. B. C."  # initials, not sentences
    assert first_sentences("") == ""


def test_first_sentences_does_not_cut_inside_abbreviations_or_decimals():
    from decision.short_answer import first_sentences

    text = (
        "Functions cost $0.10 per GB-hour, e.g. AWS Lambda at 1.5 GB. Clusters, i.e. EKS or "
        "GKE, cost more vs. functions at low volume. A third sentence follows."
    )
    assert first_sentences(text) == text.removesuffix(" A third sentence follows.")
    assert (
        first_sentences("Pay 0.5 cents, etc. Then. Done.", count=1) == "Pay 0.5 cents, etc. Then."
    )
    assert first_sentences("Runs on v1.2 in the U.S. Today. More.", count=1) == (
        "Runs on v1.2 in the U.S. Today."
    )


def _tally_for(data: dict):
    from decision.content.schema import ComparisonSchema
    from decision.short_answer import winner_tally
    from decision.tables import dimension_rows

    return winner_tally(dimension_rows(ComparisonSchema.model_validate(data)))


def test_winner_tally_counts_each_option_and_the_ties_most_wins_first():
    from collections import Counter

    for data in (comparison_data(dimensions=5), comparison_data(options=3, dimensions=8)):
        wins = Counter(dimension["winner"] for dimension in data["dimensions"])
        names = {option["slug"]: option["name"] for option in data["options"]}
        tally = _tally_for(data)
        assert tally.total == len(data["dimensions"])
        assert tally.ties == wins["tie"]
        assert {entry.name: entry.count for entry in tally.wins} == {
            name: wins[slug] for slug, name in names.items()
        }
        counts = [entry.count for entry in tally.wins]
        assert counts == sorted(counts, reverse=True)
        first = tally.wins[0]
        assert tally.sentence.startswith(f"{first.name} wins {first.count} of {tally.total} ")
        assert tally.sentence.endswith(f", {wins['tie']} tie{'s' if wins['tie'] > 1 else ''}.")


def test_winner_tally_of_no_rows_says_nothing():
    from decision.short_answer import winner_tally

    assert winner_tally([]).sentence == ""


def test_month_filter_spells_out_a_year_and_month():
    from decision.templatetags.decision_tags import month

    assert month("2026-11") == "November 2026"
    assert month("2025-01") == "January 2025"
    for value in (None, "", "2026-13", "2026-00", "2026-1", "26-11", "2026-11-05", "soon", 202611):
        assert month(value) == "", value


def test_short_answer_score_and_wizard_button_lead_the_page(client, flagship):
    from collections import Counter

    html = client.get("/kubernetes-vs-serverless/").content.decode()
    hero = _hero(html)
    advice = _normalized(flagship.default_advice)
    two_sentences = ". ".join(advice.split(". ")[:2]) + "."
    assert two_sentences != advice  # the fixture's advice is longer than its short answer
    assert f'<p class="short-answer__text">{two_sentences}</p>' in hero

    dimensions = list(flagship.dimensions.select_related("winner"))
    wins = Counter(dimension.winner.name for dimension in dimensions if dimension.winner)
    (leader, most), *others = wins.most_common()
    expected = f"{leader} wins {most} of {len(dimensions)} dimensions"
    expected += "".join(f", {name} {count}" for name, count in others)
    ties = sum(dimension.winner is None for dimension in dimensions)
    expected += f", {ties} tie{'s' if ties > 1 else ''}." if ties else "."
    assert f'<p class="tally">{expected} <a href="#table">' in hero
    assert 'href="/kubernetes-vs-serverless/wizard/"' in hero
    assert flagship.intro in html.split('id="options"')[1]  # the intro moved below the hero


def test_short_answer_score_counts_ties(client):
    data = comparison_data(dimensions=4)
    load_data(data)
    tally = _tally_for(data)
    assert tally.ties
    assertContains(client.get("/demo/"), f'<p class="tally">{tally.sentence} ')


def test_every_pro_and_con_is_in_the_page_the_first_two_in_sight(client, flagship):
    html = client.get("/kubernetes-vs-serverless/").content.decode()
    for option in flagship.options.all():
        card = html.split(f'id="option-{option.slug}"')[1].split("</article>")[0]
        for kind, one in (("pro", "pro"), ("con", "con")):
            points = [point.text for point in option.points.filter(kind=kind)]
            shown, more = card.split(f"<h4>{kind.title()}s</h4>")[1].split("</ul>", 1)
            assert [p for p in points if p in shown] == points[:2]
            if len(points) > 2:
                n = len(points) - 2
                assert f"<summary>Show {n} more {one}{'s' if n > 1 else ''}</summary>" in more
            assert all(point in card for point in points)


def test_sources_are_a_line_of_links_never_a_disclosure(client, flagship):
    html = client.get("/kubernetes-vs-serverless/").content.decode()
    faq = html.split('id="faq"')[1].split("</section>")[0]
    entries = [entry for entry in flagship.faq_entries.all() if entry.sources]
    assert entries
    assert faq.count('<p class="sources"><span class="sources__label">Sources:</span>') == len(
        entries
    )
    assert faq.count("<details") == flagship.faq_entries.count()  # no details inside details
    assert '<details class="sources">' not in html
    for entry in entries:
        for url in entry.sources.split():  # stored one URL a line
            assert f'<a href="{url}" rel="noopener">' in faq


def test_sources_show_the_month_they_were_checked():
    from django.template.loader import render_to_string

    urls = ["https://example.com/pricing", "https://example.org/limits"]
    checked = render_to_string(
        "decision/includes/sources.html", {"sources": urls, "as_of": "2026-11"}
    )
    assert "Sources:" in checked
    assert "(as of November 2026)" in checked
    assert checked.count("<a ") == len(urls)
    assert "as of" not in render_to_string(
        "decision/includes/sources.html", {"sources": urls, "as_of": None}
    )
    assert "as of" not in render_to_string("decision/includes/sources.html", {"sources": urls})
    assert "As of November 2026" in render_to_string(
        "decision/includes/sources.html", {"sources": [], "as_of": "2026-11"}
    )
    assert render_to_string("decision/includes/sources.html", {"sources": []}).strip() == ""
