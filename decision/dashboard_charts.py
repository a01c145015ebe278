"""The analytics dashboard's charts, laid out for SVG templates: a line chart of starts and
results per day, and horizontal bar charts of shares (drop-off, answers, outcomes, votes).

Pure geometry (no Django), in the manner of `cost_chart`: every coordinate and label position
is computed here, so the templates only draw and tests can check the picture. Charts are 340
units wide, so on a 390 px phone they are drawn at about their natural size, and no text is
smaller than 12 units; wider screens scale them up. Text widths are estimated generously, as
in `cost_chart`, so a label kept inside the drawing by the estimate is inside it in any
ordinary font.

Each chart is followed on the page by a table of the same figures: the chart is a picture of
the table, and the table is what a screen reader, a copy and a test read.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .cost_chart import EM, Plot, Text, short_amount, text_width

WIDTH = 340
FONT = 12  # units; every piece of text
LINE = 15  # height of one line of text
TOP = 4
TICK = 4
GAP = 6
PLOT_HEIGHT = 160
DOTS_UP_TO = 45  # days: beyond this a dot per day would crowd the line
BAR = 14  # a bar's thickness
BAR_GAP = 12  # between one bar and the next row's label
LABEL_LINES = 3  # a longer label is cut, with an ellipsis (the table holds it whole)
MIN_BAR = 2  # a share above zero is drawn at least this long, so it is seen


def _round(value: float) -> float:
    return round(value, 1)


def day_label(day: date) -> str:
    """ "3 May": short enough to fit six across a phone-sized chart."""
    return f"{day.day} {day:%b}"


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- the line chart ------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesLine:
    name: str
    variant: int  # 1, 2: colour and dash in the stylesheet
    points: str  # "x,y x,y …" for <polyline points>
    dots: tuple[tuple[float, float], ...]

    @property
    def css_class(self) -> str:
        return f"analytics-chart__line--{self.variant}"


@dataclass(frozen=True)
class Gridline:
    y: float
    label: Text


@dataclass(frozen=True)
class DayTick:
    x: float
    label: Text


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    width: int
    height: int
    plot: Plot
    lines: tuple[SeriesLine, ...]
    gridlines: tuple[Gridline, ...]
    day_ticks: tuple[DayTick, ...]
    tick_bottom: float

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def texts(self) -> tuple[Text, ...]:
        return (
            *(line.label for line in self.gridlines),
            *(tick.label for tick in self.day_ticks),
        )


def count_steps(highest: int) -> tuple[int, int]:
    """A whole, round step (1, 2 or 5 × 10^k) and a number of steps (1 to 5) that reach
    `highest` (at least 1)."""
    highest = max(highest, 1)
    exponent = 0
    while True:
        for mantissa in (1, 2, 5):
            step = mantissa * 10**exponent
            steps = math.ceil(highest / step)
            if steps <= 5:
                return step, steps
        exponent += 1


def _labelled_days(count: int, room: float) -> list[int]:
    """Indexes of the days to label: evenly spaced, the first always, as many as fit."""
    if count <= 1:
        return [0] * count
    widest = text_width("30 May", FONT) + 2 * GAP
    fits = max(2, int(room // widest) + 1)
    every = max(1, math.ceil((count - 1) / (fits - 1)))
    return list(range(0, count, every))


def line_chart(
    days: Sequence[date], series: Sequence[tuple[str, Sequence[int]]], *, title: str
) -> LineChart:
    """Counts per day (each series one value per day, in day order) as lines on one chart."""
    highest = max((value for _, values in series for value in values), default=0)
    step, steps = count_steps(highest)
    top_value = step * steps
    labels = [short_amount(step * n) for n in range(steps + 1)]
    label_x = math.ceil(max(text_width(label, FONT) for label in labels))
    half_day = text_width("30 May", FONT) / 2
    left = max(label_x + TICK + GAP, math.ceil(half_day))  # room for the first day's label
    right = WIDTH - half_day
    top = TOP + FONT // 2
    bottom = top + PLOT_HEIGHT
    plot = Plot(left, top, right, bottom)

    def to_x(index: int) -> float:
        if len(days) <= 1:
            return _round((left + right) / 2)
        return _round(left + index / (len(days) - 1) * (right - left))

    def to_y(value: int) -> float:
        return _round(bottom - value / top_value * PLOT_HEIGHT)

    gridlines = tuple(
        Gridline(to_y(step * n), Text(label_x, _round(to_y(step * n) + 4), label, "end", FONT))
        for n, label in enumerate(labels)
    )
    lines = []
    for variant, (name, values) in enumerate(series, start=1):
        points = tuple((to_x(n), to_y(value)) for n, value in enumerate(values))
        dots = points if len(points) <= DOTS_UP_TO else ()
        lines.append(SeriesLine(name, variant, " ".join(f"{x:g},{y:g}" for x, y in points), dots))
    tick_bottom = bottom + TICK
    label_y = tick_bottom + FONT + 2
    day_ticks = tuple(
        DayTick(to_x(n), Text(to_x(n), label_y, day_label(days[n]), "middle", FONT))
        for n in _labelled_days(len(days), right - left)
    )
    return LineChart(
        title=title,
        description=_line_description(title, days, series),
        width=WIDTH,
        height=int(label_y + GAP),
        plot=plot,
        lines=tuple(lines),
        gridlines=gridlines,
        day_ticks=day_ticks,
        tick_bottom=tick_bottom,
    )


def _line_description(
    title: str, days: Sequence[date], series: Sequence[tuple[str, Sequence[int]]]
) -> str:
    if not days:
        return f"{title}: no days to show."
    span = (
        day_label(days[0]) if len(days) == 1 else f"{day_label(days[0])} to {day_label(days[-1])}"
    )
    totals = [f"{sum(values):,} {name.lower()}" for name, values in series]
    sentence = f"{title}, a line chart per day from {span} {days[-1].year}"
    if totals:
        sentence += f": {_join(totals)} in all"
    return sentence + ". The table below gives every day's figures."


# --- the bar chart -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One row: its label (one or more lines), its value text, the track and the bar."""

    label: tuple[Text, ...]
    value: Text
    y: float  # the top of the track and the bar
    length: float  # 0 when there is nothing to draw


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    scale: Text | None = None  # "Bar scale: 0 to 20%", when a full track is less than 100 %
    bar_height: int = BAR

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def track_width(self) -> float:
        """The track's width: inside the drawing with its one-unit outline."""
        return self.width - 1

    @property
    def texts(self) -> tuple[Text, ...]:
        texts = tuple(text for bar in self.bars for text in (*bar.label, bar.value))
        return (*texts, self.scale) if self.scale else texts


def wrap_label(label: str, width: float, lines: int = LABEL_LINES) -> list[str]:
    """`label` in lines no wider than `width` units; past `lines` lines, cut with "…"."""
    chars = max(int(width // (FONT * EM)), 4)
    wrapped = textwrap.wrap(label, chars, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: chars - 1].rstrip() + "…"
    return wrapped


SCALES = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0)


def share_scale(highest: float) -> float:
    """The smallest round share (5 %, 10 %, 20 %, 25 %, 50 % or 100 %) at or above `highest`:
    a full track, for shares that are all small (drop-off, typically)."""
    return next((scale for scale in SCALES if highest <= scale + 1e-9), 1.0)


def bar_chart(
    rows: Sequence[tuple[str, float | None, str]],
    *,
    title: str,
    measure: str,
    full: float = 1.0,
) -> BarChart:
    """Shares from 0 to 1 as horizontal bars, in the order given, on a track that stands for
    `full` (100 % unless given; then a line under the bars says so).

    Each row is (label, share or None, the value text shown at the end of the label's line,
    e.g. "42 · 35%"). `measure` says in words what the shares are, for the description.
    """
    bars = []
    y = TOP
    for label, share, value in rows:
        value_width = text_width(value, FONT)
        lines = wrap_label(label, WIDTH - value_width - GAP)
        baseline = y + FONT
        texts = tuple(
            Text(0, _round(baseline + n * LINE), line, "start", FONT)
            for n, line in enumerate(lines)
        )
        value_text = Text(WIDTH, _round(baseline), value, "end", FONT)
        track = y + LINE * len(lines) + 2
        length = 0.0
        if share:
            length = _round(max(min(share / full, 1.0) * WIDTH, MIN_BAR))
        bars.append(Bar(texts, value_text, _round(track), length))
        y = track + BAR + BAR_GAP
    scale = None
    if full < 1:
        scale = Text(
            0, _round(y - BAR_GAP / 2 + FONT), f"Bar scale: 0 to {full:.0%}", "start", FONT
        )
        y += LINE + 2
    return BarChart(
        title=title,
        description=_bar_description(title, rows, measure, full),
        width=WIDTH,
        height=math.ceil(y - BAR_GAP + TOP),
        bars=tuple(bars),
        scale=scale,
    )


def _bar_description(
    title: str, rows: Sequence[tuple[str, float | None, str]], measure: str, full: float
) -> str:
    if not rows:
        return f"{title}: nothing to show."
    counted = [(label, share) for label, share, _ in rows if share is not None]
    sentence = (
        f"{title}, a bar chart of {len(rows)} row{'s' if len(rows) != 1 else ''}, "
        f"each {measure}, drawn on a scale from 0 to {full:.0%}"
    )
    if counted:
        label, share = max(counted, key=lambda item: item[1])
        sentence += f"; the largest is {label} at {share * 100:.0f}%"
    return sentence + ". The table below gives the figures."
