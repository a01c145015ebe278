"""The comparison page as a phone and a desktop show it: the short answer, the table of contents,
the winner at the top of each phone card, sources that never look like questions."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from decision.services import comparison_content

COMPARISON = "/kubernetes-vs-serverless/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def content(site):
    return comparison_content("kubernetes-vs-serverless")


def _open(browser, site, viewport, scheme="light"):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(site + COMPARISON)
    return context, page


def test_phone_cards_show_the_winner_on_their_first_line(browser, site, content):
    names = {option.slug: option.name for option in content.options}
    context, page = _open(browser, site, PHONE)
    for index in (0, len(content.dimensions) - 1):
        dimension = content.dimensions[index]
        card = page.locator(".comparison-table tbody tr").nth(index)
        parts = card.locator(":scope > th, :scope > td")
        tops = [parts.nth(n).bounding_box()["y"] for n in range(parts.count())]
        first = parts.nth(tops.index(min(tops)))
        assert "winner" in (first.get_attribute("class") or ""), dimension.slug
        assert names.get(dimension.winner, "Tie") in first.inner_text()
    context.close()


def test_desktop_table_keeps_the_winner_in_its_last_column(browser, site, content):
    context, page = _open(browser, site, DESKTOP)
    row = page.locator(".comparison-table tbody tr").first
    lefts = [cell.bounding_box()["x"] for cell in row.locator(":scope > th, :scope > td").all()]
    assert lefts == sorted(lefts)  # source order, left to right, the winner last
    assert page.locator(".comparison-table thead th").last.inner_text().strip().lower() == "winner"
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_table_of_contents_stays_in_view_and_clear_of_headings(browser, site, viewport):
    context, page = _open(browser, site, viewport)
    toc = page.locator("nav.toc")
    page.evaluate("window.scrollTo(0, document.getElementById('framework').offsetTop)")
    assert toc.is_visible()
    assert abs(toc.bounding_box()["y"]) < 1  # stuck to the top edge
    for link in toc.locator("a").all():
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        page.wait_for_function("(id) => location.hash === '#' + id", arg=target)
        page.wait_for_timeout(100)  # let the jump settle
        heading = page.locator(f"#{target} h2").first.bounding_box()
        bar = toc.bounding_box()
        assert heading["y"] >= bar["y"] + bar["height"] - 1, f"{target} hides under the bar"
    context.close()


def test_phone_table_of_contents_is_one_scrollable_row(browser, site):
    context, page = _open(browser, site, PHONE)
    links = page.locator("nav.toc a")
    tops = {round(link.bounding_box()["y"]) for link in links.all()}
    assert len(tops) == 1  # one row
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    links.last.focus()  # a keyboard user reaches the last link: the row scrolls to it
    box = links.last.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    context.close()


def test_short_answer_is_on_the_first_phone_screen(browser, site, content):
    context, page = _open(browser, site, PHONE)
    hero = page.locator(".hero")
    for selector in (".short-answer__text", ".tally", ".button--primary"):
        box = hero.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"{selector} is below the fold"
    assert " ".join(content.default_advice.split()).startswith(
        hero.locator(".short-answer__text").inner_text()
    )
    assert f"of {len(content.dimensions)} dimensions" in hero.locator(".tally").inner_text()
    context.close()


def test_every_pro_and_con_shows_on_desktop_and_one_tap_away_on_phones(browser, site, content):
    points = sum(len(option.pros) + len(option.cons) for option in content.options)
    context, page = _open(browser, site, DESKTOP)
    items = page.locator(".option-card .pros li, .option-card .cons li")
    assert items.count() == points
    assert all(item.is_visible() for item in items.all())
    assert not any(summary.is_visible() for summary in page.locator(".more-points > summary").all())
    context.close()

    context, page = _open(browser, site, PHONE)
    hidden = page.locator(".more-points li")
    assert hidden.count() and not hidden.first.is_visible()
    page.locator(".more-points > summary").first.click()
    assert hidden.first.is_visible()
    context.close()


def test_faq_sources_are_a_muted_line_not_a_question(browser, site, content):
    context, page = _open(browser, site, PHONE)
    questions = page.locator("#faq summary")
    assert questions.count() == len(content.faq)
    assert [q.inner_text().strip() for q in questions.all()] == [e.question for e in content.faq]
    sources = page.locator("#faq .sources")
    assert sources.count() == sum(bool(entry.sources) for entry in content.faq)
    assert page.locator("#faq summary .sources, #faq details details").count() == 0
    page.locator("#faq summary").first.click()
    line = sources.first
    assert line.evaluate("(e) => e.tagName") == "P"
    assert line.inner_text().startswith("Sources:")
    size = line.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    question = questions.first.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert size < question
    context.close()


def _axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_axe_finds_nothing_on_the_comparison_page(browser, site):
    found = {}
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        for scheme in ("light", "dark"):
            context, page = _open(browser, site, viewport, scheme)
            for summary in page.locator("summary").all():
                if summary.is_visible():
                    summary.click()  # open every disclosure: what hides there is checked too
            found[f"{name} ({scheme})"] = _axe_violations(page)
            context.close()
    assert {key: v for key, v in found.items() if v} == {}
