"""The dashboard's arithmetic and chart layout: pure functions, no database."""

from datetime import date, timedelta
from itertools import pairwise

from decision.dashboard_charts import (
    FONT,
    WIDTH,
    bar_chart,
    count_steps,
    day_label,
    line_chart,
    share_scale,
    wrap_label,
)
from decision.dashboard_figures import (
    NO_RATE,
    Count,
    QuestionInfo,
    days_between,
    figures,
    percent,
    rate,
    split,
)

DAY = date(2026, 5, 10)
QUESTIONS = [
    QuestionInfo("where", "Where must it run?", (("cloud", "In a cloud"), ("own", "Our own"))),
    QuestionInfo("parts", "Which parts?", (("web", "Web"), ("jobs", "Jobs")), multiple=True),
    QuestionInfo("hours", "How many hours?", (("few", "A few"), ("many", "Many"))),
]
OUTCOMES = [("a", "Option A"), ("b", "Option B"), ("combine", "Combine A and B")]
VOTES = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]


def _figures(rows, start=DAY, end=DAY):
    counts = [Count(*row) for row in rows]
    return figures(
        counts, start=start, end=end, questions=QUESTIONS, outcomes=OUTCOMES, votes=VOTES
    )


def test_a_rate_with_nothing_to_divide_by_is_none_and_shown_as_a_dash():
    assert rate(3, 0) is None
    assert percent(None) == NO_RATE == "\u2013"
    assert percent(rate(0, 0)) == "\u2013"


def test_percentages_round_to_whole_numbers_and_never_claim_zero_or_all_wrongly():
    assert percent(0.0) == "0%"
    assert percent(1.0) == "100%"
    assert percent(0.354) == "35%"
    assert percent(1 / 1000) == "<1%"
    assert percent(0.999) == ">99%"


def test_zero_starts_give_a_dash_for_the_completion_rate_not_an_error():
    found = _figures([(DAY, "result", "", 2)])
    assert found.totals.starts == 0
    assert found.totals.completion is None
    assert found.totals.completion_text == "\u2013"
    assert found.days[0].completion_text == "\u2013"


def test_daily_series_has_every_day_in_range_with_zeros_and_leaves_out_days_outside():
    start, end = DAY, DAY + timedelta(days=2)
    found = _figures(
        [
            (DAY, "start", "", 10),
            (DAY, "result", "", 4),
            (DAY + timedelta(days=2), "start", "", 5),
            (DAY + timedelta(days=2), "lead", "", 1),
            (DAY + timedelta(days=3), "start", "", 99),  # outside
        ],
        start,
        end,
    )
    assert [d.day for d in found.days] == days_between(start, end)
    assert [(d.starts, d.results, d.leads) for d in found.days] == [
        (10, 4, 0),
        (0, 0, 0),
        (5, 0, 1),
    ]
    assert [d.completion_text for d in found.days] == ["40%", "\u2013", "0%"]
    assert found.totals.starts == 15
    assert found.totals.completion == 4 / 15


def test_drop_off_is_over_the_visitors_shown_the_question_in_wizard_order():
    found = _figures(
        [
            (DAY, "shown", "where", 100),
            (DAY, "answered", "where", 80),
            (DAY, "shown", "hours", 10),  # a follow-up shown to few
            (DAY, "answered", "hours", 5),
            (DAY, "shown", "gone", 7),  # a question no longer in the content
            (DAY, "answered", "gone", 7),
        ]
    )
    rows = {row.slug: row for row in found.drop_off}
    assert [row.slug for row in found.drop_off] == ["where", "parts", "hours", "gone"]
    assert rows["where"].drop_off == 0.2
    assert rows["hours"].drop_off == 0.5  # over its own 10, not over the 100 who started
    assert rows["hours"].left == 5
    assert rows["parts"].drop_off is None and rows["parts"].drop_off_text == "\u2013"
    assert not rows["gone"].current and rows["gone"].prompt == "gone"


def test_more_answers_than_showings_is_no_drop_off_rather_than_a_negative_one():
    found = _figures([(DAY, "shown", "where", 3), (DAY, "answered", "where", 4)])
    assert found.drop_off[0].left == 0
    assert found.drop_off[0].drop_off == 0


def test_answer_split_names_choices_in_order_adds_not_sure_and_keeps_unknown_slugs():
    found = _figures(
        [
            (DAY, "answered", "where", 10),
            (DAY, "choice", "where/cloud", 6),
            (DAY, "choice", "where/not-sure", 3),
            (DAY, "choice", "where/old-choice", 1),
        ]
    )
    where = found.answers[0]
    assert [(s.label, s.count, s.share_text) for s in where.shares] == [
        ("In a cloud", 6, "60%"),
        ("Our own", 0, "0%"),
        ("Not sure", 3, "30%"),
        ("old-choice", 1, "10%"),
    ]
    assert not where.shares[-1].known


def test_a_multiple_answer_question_shares_are_over_the_visitors_who_answered():
    found = _figures(
        [
            (DAY, "answered", "parts", 4),
            (DAY, "choice", "parts/web", 4),
            (DAY, "choice", "parts/jobs", 2),
        ]
    )
    parts = found.answers[1]
    assert parts.multiple
    assert [s.share for s in parts.shares[:2]] == [1.0, 0.5]


def test_a_question_nobody_answered_has_dashes_for_shares():
    found = _figures([])
    assert all(share.share is None for share in found.answers[0].shares)


def test_outcomes_and_votes_are_named_and_an_unknown_slug_is_shown_as_itself():
    found = _figures(
        [
            (DAY, "outcome", "a", 3),
            (DAY, "outcome", "combine", 1),
            (DAY, "outcome", "retired-option", 1),
            (DAY, "vote", "yes", 2),
            (DAY, "vote", "no", 2),
        ]
    )
    assert [(s.label, s.count, s.share_text) for s in found.outcomes] == [
        ("Option A", 3, "60%"),
        ("Option B", 0, "0%"),
        ("Combine A and B", 1, "20%"),
        ("retired-option", 1, "20%"),
    ]
    assert [(s.label, s.share_text) for s in found.votes] == [
        ("Yes", "50%"),
        ("Partly", "0%"),
        ("No", "50%"),
    ]
    assert found.totals.votes == 4


def test_split_of_nothing_is_all_dashes():
    assert [s.share_text for s in split({}, VOTES)] == ["\u2013"] * 3


# --- charts --------------------------------------------------------------------------------


def test_count_steps_are_whole_and_round():
    assert count_steps(0) == (1, 1)
    assert count_steps(3) == (1, 3)
    assert count_steps(7) == (2, 4)
    assert count_steps(42) == (10, 5)
    assert count_steps(1234) == (500, 3)


def _inside(chart):
    for text in chart.texts:
        assert text.left >= 0 and text.right <= chart.width, text
        assert text.size >= FONT


def test_the_line_chart_keeps_every_label_inside_and_labels_few_enough_days():
    for length in (1, 2, 7, 30, 90, 366):
        days = days_between(DAY, DAY + timedelta(days=length - 1))
        values = [n * 37 % 101 for n in range(length)]
        chart = line_chart(days, [("Starts", values), ("Results", values)], title="T")
        _inside(chart)
        assert chart.width == WIDTH
        labels = [tick.label for tick in chart.day_ticks]
        assert len(labels) <= 6
        for left, right in pairwise(labels):
            assert left.right + 4 <= right.left, (left, right)
        assert chart.day_ticks[0].label.text == day_label(DAY)


def test_the_line_chart_points_sit_on_the_plot():
    days = days_between(DAY, DAY + timedelta(days=2))
    chart = line_chart(days, [("Starts", [0, 5, 10])], title="T")
    points = [tuple(map(float, p.split(","))) for p in chart.lines[0].points.split()]
    assert points[0] == (chart.plot.left, chart.plot.bottom)
    assert points[-1][0] == chart.plot.right
    assert chart.plot.top <= points[-1][1] <= chart.plot.bottom
    assert "from 10 May to 12 May 2026" in chart.description
    assert "15 starts" in chart.description


def test_bars_are_drawn_to_their_share_and_labels_wrap_inside():
    long = "Which of these parts does your system have, counting every service you run?"
    chart = bar_chart(
        [("Short", 0.5, "5 · 50%"), (long, 1.0, "10 · 100%"), ("None", None, "\u2013")],
        title="T",
        measure="a share",
    )
    _inside(chart)
    first, second, third = chart.bars
    assert first.length == WIDTH / 2
    assert second.length == WIDTH
    assert third.length == 0
    assert len(second.label) > 1
    assert first.y < second.y < third.y
    assert chart.height >= third.y + chart.bar_height
    assert "the largest is" in chart.description


def test_a_tiny_share_is_still_visible_and_a_very_long_label_is_cut():
    chart = bar_chart([("x", 0.0001, "1 · <1%")], title="T", measure="a share")
    assert chart.bars[0].length > 0
    lines = wrap_label("word " * 80, 200)
    assert len(lines) == 3 and lines[-1].endswith("…")


def test_small_shares_get_a_round_scale_that_the_chart_names():
    assert share_scale(0.0) == 0.05
    assert share_scale(0.06) == 0.1
    assert share_scale(0.1) == 0.1
    assert share_scale(0.18) == 0.2
    assert share_scale(0.3) == 0.5
    assert share_scale(0.7) == 1.0
    chart = bar_chart([("a", 0.1, "10%"), ("b", 0.05, "5%")], title="T", measure="m", full=0.2)
    assert [bar.length for bar in chart.bars] == [WIDTH / 2, WIDTH / 4]
    assert chart.scale is not None and chart.scale.text == "Bar scale: 0 to 20%"
    assert chart.scale.y > chart.bars[-1].y + chart.bar_height
    assert chart.scale.y <= chart.height
    assert "from 0 to 20%" in chart.description
    _inside(chart)
    assert bar_chart([("a", 0.5, "50%")], title="T", measure="m").scale is None
