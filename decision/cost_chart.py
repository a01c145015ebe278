"""A line chart of monthly cost against monthly volume, laid out for an SVG template.

Pure geometry (no Django), in the manner of `placement_map`: every coordinate, tick and label
position is computed here, so the template only draws and tests can check the picture. The
x axis is logarithmic (requests per month, powers of ten labelled "1K", "10K", …); the y axis
runs from $0 to a round amount above the dearest point. The chart is 360 units wide, so on a
390 px phone it is drawn at about its natural size, and no text is smaller than 11 units.

Text widths are estimated (no font metrics here) generously, at 0.6 em a character, so a
label that is kept inside the drawing by the estimate is inside it in any ordinary font.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360
PLOT_HEIGHT = 190
FONT = 11  # units; tick, axis and marker text
LABEL_FONT = 12  # units; series names at the ends of their lines
EM = 0.6  # estimated width of a character, in ems
ROW = 14  # height of one row of text above the plot
TOP = 4  # space above the first row
RIGHT = 18  # room for half of the last x tick label
TICK = 4  # length of a tick mark
GAP = 4  # between a marker line and its label
STYLES = 6  # line styles (colour and dash) in the stylesheet; further series reuse them
MANTISSAS = (1, 2, 5)  # y steps are 1, 2 or 5 times a power of ten
MIN_STEP = 0.01  # a cent
EPSILON = 1e-9

X_TITLE = "Requests per month (log scale)"
Y_TITLE = "Cost per month (US$)"


# --- input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One option's cost curve: (requests per month, US dollars per month), volume ascending."""

    name: str
    points: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class Marker:
    """A volume to mark with a vertical line, e.g. the reader's own or a break-even point."""

    volume: int
    label: str


# --- output --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A piece of text: `anchor` is the SVG text-anchor ("start", "middle" or "end")."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    size: int = FONT

    @property
    def width(self) -> float:
        return text_width(self.text, self.size)

    @property
    def left(self) -> float:
        return self.x - {"start": 0, "middle": self.width / 2, "end": self.width}[self.anchor]

    @property
    def right(self) -> float:
        return self.left + self.width


@dataclass(frozen=True)
class Plot:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Tick:
    """A tick at `position` (x for the x axis, y for the y axis) with its value and label.

    An x tick's label may be empty when the decades are too close together to label them all;
    the tick mark and grid line are still drawn.
    """

    position: float
    value: float
    label: str


@dataclass(frozen=True)
class Line:
    """One series as a polyline. `variant` (1..STYLES) picks its colour and dash pattern."""

    name: str
    index: int  # 1..n, in the order given
    variant: int
    points: str  # "x,y x,y …" for <polyline points>
    coordinates: tuple[tuple[float, float], ...]
    label: Text  # the series name, at the right-hand end of its line
    dot: tuple[float, float] | None  # a lone point, drawn as a dot (a polyline of one is not)

    @property
    def css_class(self) -> str:
        return f"cost-chart__line--{self.variant}"


@dataclass(frozen=True)
class MarkerLine:
    """A marked volume: a vertical line at `x` from `top` to the plot's bottom, and its label
    (one or more lines of text, kept inside the drawing)."""

    volume: int
    label: str
    x: float
    top: float
    bottom: float
    texts: tuple[Text, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # one plain sentence for <desc>
    width: int
    height: int
    plot: Plot
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    markers: tuple[MarkerLine, ...]
    x_title: Text
    y_title: Text
    x_labels: tuple[Text, ...]  # labelled x ticks
    y_labels: tuple[Text, ...]
    tick_left: int  # where the y tick marks start (they end at the plot's left)
    tick_bottom: int  # where the x tick marks end (they start at the plot's bottom)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def texts(self) -> tuple[Text, ...]:
        """Every piece of text the template draws, with where it is drawn."""
        return (
            self.x_title,
            self.y_title,
            *self.x_labels,
            *self.y_labels,
            *(line.label for line in self.lines),
            *(text for marker in self.markers for text in marker.texts),
        )


# --- helpers -------------------------------------------------------------------------------


def text_width(text: str, size: int = FONT) -> float:
    """A generous estimate of how wide `text` is drawn at `size` units."""
    return len(text) * size * EM


def _round(value: float) -> float:
    return round(value, 1)


def _number(value: float, figures: int = 3) -> str:
    """Up to `figures` significant figures, without a trailing ".0": 1, 1.5, 10, 250."""
    text = f"{value:.{figures}g}"
    if "e" in text:  # 1000 or more of the largest unit
        text = f"{value:.0f}"
    return text


def short_amount(value: float, figures: int = 3) -> str:
    """1 → "1", 1000 → "1K", 1500 → "1.5K", 10**7 → "10M", 10**9 → "1B", 10**12 → "1T"."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if abs(value) >= size:
            return _number(value / size, figures) + suffix
    return _number(value, figures)


def dollars(value: float, step: float = 1) -> str:
    """A y tick label: "$0", "$500", "$1K", "$1.5K"; with steps under a dollar, "$0.20"."""
    if value == 0:
        return "$0"
    if step < 1:
        return f"${value:.2f}"
    return "$" + short_amount(value)


def nice_steps(highest: float) -> tuple[float, int]:
    """The round step (1, 2 or 5 × 10^k) and number of steps (3 to 5) that reach `highest`.

    The smallest such step that needs at most five steps: as the next smaller step needed
    more than five, and steps grow by at most 2.5 times, this one needs at least three, so
    there are always four to six ticks.
    """
    highest = max(highest, 1.0)  # all free: still draw a $0 to $1 axis
    exponent = math.floor(math.log10(highest / 5)) - 1
    while True:
        for mantissa in MANTISSAS:
            step = max(mantissa * 10.0**exponent, MIN_STEP)
            count = math.ceil(highest / step - EPSILON)
            if count <= 5:
                return step, max(count, 1)
        exponent += 1


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _description(title: str, series: Sequence[Series], markers) -> str:
    names = [item.name for item in series]
    volumes = [volume for item in series for volume, _ in item.points]
    sentence = (
        f"{title}: a line chart of cost per month in US dollars against requests per month "
        "on a logarithmic scale"
    )
    if volumes and min(volumes) != max(volumes):
        sentence += f" from {min(volumes):,} to {max(volumes):,}"
    elif volumes:
        sentence += f" at {volumes[0]:,}"
    if names:
        sentence += f", for {_join(names)}"
    else:
        sentence += ", with no options to show"
    if markers:
        marked = [f"{marker.label} at {marker.volume:,} requests" for marker in markers]
        sentence += f"; marked: {'; '.join(marked)}"
    return sentence + "."


# --- layout --------------------------------------------------------------------------------


def _x_range(series: Sequence[Series]) -> tuple[float, float]:
    volumes = [max(volume, 1) for item in series for volume, _ in item.points]
    if not volumes:
        return 3.0, 6.0  # nothing to draw: 1K to 1M, so the axes still make sense
    low, high = math.log10(min(volumes)), math.log10(max(volumes))
    if high - low < EPSILON:  # a single volume: half a decade either side
        return low - 0.5, high + 0.5
    return low, high


def _x_ticks(low: float, high: float, to_x, room: float) -> tuple[Tick, ...]:
    powers = range(math.ceil(low - EPSILON), math.floor(high + EPSILON) + 1)
    if not powers:  # less than a decade with no power of ten in it: label the two ends
        ends = (10**low, 10**high)
        return tuple(Tick(to_x(math.log10(v)), v, short_amount(v, 2)) for v in ends)
    # Label every decade if the labels fit side by side, else every second, third, …
    spacing = room / max(high - low, EPSILON)
    widest = max(text_width(short_amount(10.0**power)) for power in powers)
    every = max(1, math.ceil((widest + 6) / spacing))
    return tuple(
        Tick(
            to_x(power),
            10.0**power,
            short_amount(10**power) if (power - powers[0]) % every == 0 else "",
        )
        for power in powers
    )


def _marker_texts(label: str, x: float, baseline: float) -> tuple[Text, ...]:
    """The marker's label beside its line: to the right when it fits, else to the left, else
    as near as it can be while staying inside; wrapped when it is wider than the drawing."""
    limit = int((WIDTH - 2 * GAP) // (FONT * EM))
    rows = textwrap.wrap(label, limit) or [label]
    widest = max(text_width(row) for row in rows)
    if x + GAP + widest <= WIDTH:
        left = x + GAP
    elif x - GAP - widest >= 0:
        left = x - GAP - widest
    else:
        left = min(max(x - widest / 2, 0), WIDTH - widest)
    anchor_end = left < x
    texts = []
    for n, row in enumerate(rows):
        if anchor_end:
            texts.append(Text(_round(left + widest), baseline + n * ROW, row, "end"))
        else:
            texts.append(Text(_round(left), baseline + n * ROW, row, "start"))
    return tuple(texts)


def _place_in_rows(spans: list[tuple[float, float, int]]) -> list[int]:
    """First row for each (left, right, rows needed) so that no two labels overlap."""
    taken: list[list[tuple[float, float]]] = []
    firsts = []
    for left, right, height in spans:
        row = 0
        while True:
            needed = range(row, row + height)
            clear = all(
                r >= len(taken) or all(right + GAP <= a or b + GAP <= left for a, b in taken[r])
                for r in needed
            )
            if clear:
                break
            row += 1
        for r in needed:
            while len(taken) <= r:
                taken.append([])
            taken[r].append((left, right))
        firsts.append(row)
    return firsts


def _separate(labels: list[tuple[int, float]], top: float, bottom: float) -> dict[int, float]:
    """Move series labels (index, baseline) apart so each has a row of its own, inside."""
    gap = LABEL_FONT + 2
    ordered = sorted(labels, key=lambda item: item[1])
    placed: list[list] = [[index, min(max(y, top), bottom)] for index, y in ordered]
    for n in range(1, len(placed)):  # push down
        placed[n][1] = max(placed[n][1], placed[n - 1][1] + gap)
    if placed and placed[-1][1] > bottom:  # too low now: push up from the bottom
        placed[-1][1] = bottom
        for n in range(len(placed) - 2, -1, -1):
            placed[n][1] = min(placed[n][1], placed[n + 1][1] - gap)
    return {index: max(y, top) for index, y in placed}


def chart(series: Sequence[Series], markers: Sequence[Marker], *, title: str) -> Chart:
    """Lay out `series` on a log-volume, linear-dollar chart with vertical `markers`.

    Markers outside the series' volume range are dropped; one exactly at an edge is kept.
    """
    series = [item for item in series if item.points]
    low, high = _x_range(series)
    highest = max((cost for item in series for _, cost in item.points), default=0.0)
    step, steps = nice_steps(highest)
    y_max = step * steps
    y_values = [round(n * step, 2) for n in range(steps + 1)]
    y_labels = [dollars(value, step) for value in y_values]

    # Horizontal: room for the widest y label on the left, half an x label on the right.
    y_label_x = math.ceil(max(text_width(label) for label in y_labels)) + 2
    left = y_label_x + TICK + 4
    right = WIDTH - RIGHT

    # Vertical: the y axis title, then rows for marker labels, then the plot.
    volumes = [volume for item in series for volume, _ in item.points]
    if volumes and min(volumes) < max(volumes):  # compared as whole requests, not logarithms
        inside = [m for m in markers if min(volumes) <= m.volume <= max(volumes)]
    else:
        inside = [
            m for m in markers if low - EPSILON <= math.log10(max(m.volume, 1)) <= high + EPSILON
        ]
    kept = sorted(inside, key=lambda m: m.volume)

    def to_x(log_volume: float) -> float:
        share = (log_volume - low) / (high - low)
        return _round(left + min(max(share, 0.0), 1.0) * (right - left))

    drafts = []
    for marker in kept:
        x = to_x(math.log10(max(marker.volume, 1)))
        texts = _marker_texts(marker.label, x, 0)
        span_left = min(text.left for text in (*texts, Text(x, 0, "")))
        span_right = max(text.right for text in (*texts, Text(x, 0, "")))
        drafts.append((marker, x, texts, span_left, span_right))
    firsts = _place_in_rows([(d[3], d[4], len(d[2])) for d in drafts])
    marker_rows = max(
        (first + len(d[2]) for first, d in zip(firsts, drafts, strict=True)), default=0
    )

    y_title = Text(0, TOP + FONT, Y_TITLE)
    first_row_baseline = TOP + ROW + FONT  # below the y axis title
    top = TOP + ROW * (1 + marker_rows) + FONT // 2 + 2
    bottom = top + PLOT_HEIGHT
    plot = Plot(left, top, right, bottom)

    def to_y(cost: float) -> float:
        return _round(bottom - min(max(cost / y_max, 0.0), 1.0) * PLOT_HEIGHT)

    marker_lines = []
    for first, (marker, x, texts, _, _) in zip(firsts, drafts, strict=True):
        baseline = first_row_baseline + first * ROW
        placed = tuple(
            Text(text.x, baseline + n * ROW, text.text, text.anchor) for n, text in enumerate(texts)
        )
        marker_lines.append(
            MarkerLine(marker.volume, marker.label, x, baseline - FONT + 1, bottom, placed)
        )

    lines = []
    ends = []
    for index, item in enumerate(series, start=1):
        coordinates = tuple(
            (to_x(math.log10(max(volume, 1))), to_y(cost)) for volume, cost in item.points
        )
        ends.append((index, coordinates[-1][1] - 5))
        lines.append((index, item, coordinates))
    label_y = _separate(ends, top + LABEL_FONT, bottom - 3)
    drawn = []
    for index, item, coordinates in lines:
        end_x = coordinates[-1][0] - (6 if len(coordinates) == 1 else 0)  # clear of a dot
        width = text_width(item.name, LABEL_FONT)
        label_x = min(max(end_x, left + width), WIDTH)
        label = Text(_round(label_x), _round(label_y[index]), item.name, "end", LABEL_FONT)
        drawn.append(
            Line(
                name=item.name,
                index=index,
                variant=(index - 1) % STYLES + 1,
                points=" ".join(f"{x:g},{y:g}" for x, y in coordinates),
                coordinates=coordinates,
                label=label,
                dot=coordinates[0] if len(coordinates) == 1 else None,
            )
        )

    x_label_y = bottom + TICK + FONT + 2
    x_ticks = _x_ticks(low, high, to_x, right - left)
    y_ticks = tuple(
        Tick(to_y(value), value, label) for value, label in zip(y_values, y_labels, strict=True)
    )
    height = x_label_y + ROW + 4
    return Chart(
        title=title,
        description=_description(title, series, marker_lines),
        width=WIDTH,
        height=height,
        plot=plot,
        lines=tuple(drawn),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        markers=tuple(marker_lines),
        x_title=Text(_round((left + right) / 2), x_label_y + ROW, X_TITLE, "middle"),
        y_title=y_title,
        x_labels=tuple(
            Text(tick.position, x_label_y, tick.label, "middle") for tick in x_ticks if tick.label
        ),
        y_labels=tuple(
            Text(y_label_x, _round(tick.position + 4), tick.label, "end") for tick in y_ticks
        ),
        tick_left=left - TICK,
        tick_bottom=bottom + TICK,
    )
