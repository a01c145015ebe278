"""The cost chart's geometry: a logarithmic volume axis, round dollar ticks, markers and text
that stay inside the drawing, and a template partial that draws it without inline styles."""

import math
import re
from itertools import pairwise

from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from decision.cost_chart import WIDTH, Chart, Marker, Series, chart, dollars, nice_steps

SERVERLESS = Series(
    "Serverless", ((1_000, 0.5), (100_000, 50.0), (1_000_000, 480.0), (10_000_000, 4_800.0))
)
KUBERNETES = Series(
    "Kubernetes", ((1_000, 300.0), (100_000, 300.0), (1_000_000, 420.0), (10_000_000, 1_900.0))
)
MACHINES = Series("Virtual machines", ((1_000, 80.0), (1_000_000, 260.0), (10_000_000, 2_400.0)))


def sample(markers=(), series=(SERVERLESS, KUBERNETES, MACHINES)) -> Chart:
    return chart(series, markers, title="Cost per month by volume")


def coordinates(drawn: Chart):
    """Every (x, y) the template uses as a point."""
    plot = drawn.plot
    yield plot.left, plot.top
    yield plot.right, plot.bottom
    yield drawn.tick_left, plot.bottom
    yield plot.left, drawn.tick_bottom
    for line in drawn.lines:
        yield from line.coordinates
        for pair in line.points.split():
            x, y = pair.split(",")
            yield float(x), float(y)
    for tick in drawn.x_ticks:
        yield tick.position, plot.bottom
    for tick in drawn.y_ticks:
        yield plot.left, tick.position
    for marker in drawn.markers:
        yield marker.x, marker.top
        yield marker.x, marker.bottom
    for text in drawn.texts:
        yield text.x, text.y


def assert_inside(drawn: Chart):
    for x, y in coordinates(drawn):
        assert 0 <= x <= drawn.width and 0 <= y <= drawn.height, (x, y)
    for text in drawn.texts:
        assert text.left >= 0 and text.right <= drawn.width, text
        assert text.y - text.size >= 0, text  # the top of the text, roughly


# --- the x axis -----------------------------------------------------------------------------


def test_ten_times_the_volume_is_always_the_same_step_to_the_right():
    series = Series("A", tuple((10**n, 1.0) for n in range(2, 9)))
    xs = [x for x, _ in chart([series], [], title="t").lines[0].coordinates]
    steps = [b - a for a, b in pairwise(xs)]
    assert all(step > 0 for step in steps)
    assert max(steps) - min(steps) <= 0.2  # coordinates are rounded to 0.1
    # …and so is every other factor of ten, not only the powers of ten themselves.
    between = chart([Series("A", ((3, 1.0), (30, 1.0), (300_000, 1.0)))], [], title="t")
    a, b, c = (x for x, _ in between.lines[0].coordinates)
    assert math.isclose((c - b) / (b - a), 4, abs_tol=0.01)


def test_the_x_range_is_the_volume_range():
    drawn = sample()
    xs = [x for line in drawn.lines for x, _ in line.coordinates]
    assert min(xs) == drawn.plot.left and max(xs) == drawn.plot.right


def test_x_ticks_are_the_powers_of_ten_inside_the_range():
    drawn = chart([Series("A", ((3_000, 1.0), (2_000_000_000, 5.0)))], [], title="t")
    assert [tick.value for tick in drawn.x_ticks] == [10**n for n in range(4, 10)]
    assert [tick.label for tick in drawn.x_ticks] == ["10K", "100K", "1M", "10M", "100M", "1B"]
    positions = [tick.position for tick in drawn.x_ticks]
    assert positions == sorted(positions)
    assert all(drawn.plot.left <= x <= drawn.plot.right for x in positions)


def test_x_tick_labels_cover_one_to_ten_billion():
    drawn = chart([Series("A", ((1, 1.0), (10**10, 5.0)))], [], title="t")
    labels = [tick.label for tick in drawn.x_ticks]
    assert len(labels) == 11
    assert labels[0] == "1" and labels[-1] == "10B"
    # Eleven decades in 300 units: some labels are left out rather than drawn over each other.
    shown = sorted(drawn.x_labels, key=lambda text: text.x)
    assert all(a.right < b.left for a, b in pairwise(shown))
    assert {"1", "100", "10K", "1M", "100M", "10B"} <= {text.text for text in shown}


def test_less_than_a_decade_without_a_power_of_ten_labels_its_ends():
    drawn = chart([Series("A", ((2_000, 1.0), (8_000, 5.0)))], [], title="t")
    assert [tick.label for tick in drawn.x_ticks] == ["2K", "8K"]


# --- the y axis -----------------------------------------------------------------------------


def test_y_ticks_are_round_and_cover_the_dearest_point():
    drawn = sample()
    values = [tick.value for tick in drawn.y_ticks]
    assert values[0] == 0 and values[-1] >= 4_800
    assert 4 <= len(values) <= 6
    step = values[1]
    assert all(math.isclose(b - a, step) for a, b in pairwise(values))
    assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 5)
    assert [tick.label for tick in drawn.y_ticks] == ["$0", "$1K", "$2K", "$3K", "$4K", "$5K"]
    # $0 at the bottom of the plot, the top tick at its top.
    assert drawn.y_ticks[0].position == drawn.plot.bottom
    assert drawn.y_ticks[-1].position == drawn.plot.top


@given(st.floats(min_value=0, max_value=1e10, allow_nan=False))
def test_nice_steps_give_four_to_six_round_ticks(highest):
    step, count = nice_steps(highest)
    assert 3 <= count <= 5
    assert step * count >= highest
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5))


def test_dollar_labels_are_short():
    assert [dollars(v) for v in (0, 500, 1_000, 1_500, 10_000, 2_500_000, 3 * 10**9)] == [
        "$0",
        "$500",
        "$1K",
        "$1.5K",
        "$10K",
        "$2.5M",
        "$3B",
    ]
    assert dollars(0.2, step=0.2) == "$0.20"


def test_a_y_label_like_one_and_a_half_thousand():
    drawn = chart([Series("A", ((1, 0.0), (10, 1_800.0)))], [], title="t")
    assert [tick.label for tick in drawn.y_ticks] == ["$0", "$500", "$1K", "$1.5K", "$2K"]


def test_all_costs_zero_still_has_a_positive_y_axis():
    drawn = chart([Series("Free", ((1_000, 0.0), (1_000_000, 0.0)))], [], title="t")
    assert drawn.y_ticks[-1].value > 0
    assert 4 <= len(drawn.y_ticks) <= 6
    assert all(y == drawn.plot.bottom for _, y in drawn.lines[0].coordinates)
    assert_inside(drawn)


# --- markers --------------------------------------------------------------------------------


def test_a_marker_outside_the_range_is_dropped():
    drawn = sample([Marker(500, "Too few"), Marker(50_000, "Yours"), Marker(10**8, "Too many")])
    assert [marker.label for marker in drawn.markers] == ["Yours"]
    assert "Too few" not in drawn.description and "Too many" not in drawn.description


def test_markers_exactly_at_the_edges_are_kept_on_the_edges():
    drawn = sample([Marker(1_000, "Smallest"), Marker(10_000_000, "Largest")])
    assert [marker.x for marker in drawn.markers] == [drawn.plot.left, drawn.plot.right]
    assert_inside(drawn)


def test_a_marker_near_the_right_edge_puts_its_label_to_the_left():
    left, right = sample([Marker(2_000, "Your volume"), Marker(9_000_000, "Your volume")]).markers
    assert left.texts[0].anchor == "start" and left.texts[0].x > left.x
    assert right.texts[0].anchor == "end" and right.texts[0].x < right.x


def test_marker_labels_stay_inside_and_do_not_overlap():
    markers = [
        Marker(1_000, "Your volume"),
        Marker(400_000, "Break-even: Serverless and Kubernetes"),
        Marker(600_000, "Break-even: Serverless and Virtual machines"),
        Marker(10_000_000, "Break-even: Kubernetes and Virtual machines, at the very end"),
        Marker(5_000_000, "A very long label " * 6),
    ]
    drawn = sample(markers)
    assert len(drawn.markers) == 5
    texts = [text for marker in drawn.markers for text in marker.texts]
    for text in texts:
        assert text.left >= 0 and text.right <= WIDTH
        assert text.y < drawn.plot.top  # above the plot, below the y axis title
        assert text.y - text.size > drawn.y_title.y
    for n, a in enumerate(texts):
        for b in texts[n + 1 :]:
            assert a.y != b.y or a.right < b.left or b.right < a.left
    assert_inside(drawn)


# --- the whole drawing ----------------------------------------------------------------------


def test_the_drawing_is_phone_sized_and_everything_is_inside_it():
    drawn = sample([Marker(50_000, "Your volume"), Marker(3_000_000, "Break-even")])
    assert drawn.width == 360 and drawn.view_box == f"0 0 360 {drawn.height}"
    assert min(text.size for text in drawn.texts) >= 11
    assert_inside(drawn)


def test_series_get_their_own_style_and_labels_do_not_collide():
    drawn = sample()
    assert [line.index for line in drawn.lines] == [1, 2, 3]
    assert [line.css_class for line in drawn.lines] == [
        "cost-chart__line--1",
        "cost-chart__line--2",
        "cost-chart__line--3",
    ]
    ys = sorted(line.label.y for line in drawn.lines)
    assert all(b - a >= 12 for a, b in pairwise(ys))
    for line in drawn.lines:  # each label ends where its line ends
        assert line.label.x == line.coordinates[-1][0]


def test_a_single_point_is_drawn_as_a_dot():
    drawn = chart([Series("Flat fee", ((20_000, 99.0),))], [Marker(20_000, "Yours")], title="t")
    (line,) = drawn.lines
    assert line.dot == line.coordinates[0]
    assert drawn.plot.left < line.dot[0] < drawn.plot.right
    assert [tick.label for tick in drawn.x_ticks] == ["10K"]
    assert len(drawn.markers) == 1
    assert "20,000" in drawn.description
    assert_inside(drawn)


def test_no_series_at_all_still_draws_axes():
    drawn = chart([], [Marker(5_000, "Yours")], title="t")
    assert drawn.lines == ()
    assert drawn.x_ticks and drawn.y_ticks
    assert_inside(drawn)


def test_the_description_names_the_series_and_the_marked_volumes():
    drawn = sample([Marker(50_000, "Your volume")])
    assert drawn.description.count(".") == 1 and drawn.description.endswith(".")
    for name in ("Serverless", "Kubernetes", "Virtual machines", "Your volume at 50,000"):
        assert name in drawn.description


volumes = st.integers(min_value=1, max_value=10**11)
costs = st.floats(min_value=0, max_value=1e9, allow_nan=False)
names = st.text(alphabet="abcdefghij KLMNOP:-", min_size=1, max_size=70)


@st.composite
def curves(draw):
    points = draw(st.lists(st.tuples(volumes, costs), min_size=1, max_size=8))
    points.sort()
    return Series(draw(names), tuple(points))


@given(
    st.lists(curves(), min_size=1, max_size=6),
    st.lists(st.builds(Marker, volumes, names), max_size=5),
)
def test_any_chart_stays_inside_its_viewbox(series, markers):
    drawn = chart(series, markers, title="Any")
    assert_inside(drawn)
    lo = min(v for item in series for v, _ in item.points)
    hi = max(v for item in series for v, _ in item.points)
    if lo < hi:
        assert all(lo <= marker.volume <= hi for marker in drawn.markers)
    assert drawn.y_ticks[-1].value >= max(cost for item in series for _, cost in item.points)
    assert 4 <= len(drawn.y_ticks) <= 6


# --- the template ---------------------------------------------------------------------------


def render(drawn, prefix):
    return render_to_string(
        "decision/includes/cost_chart.html", {"chart": drawn, "id_prefix": prefix}
    )


def test_the_partial_draws_an_accessible_svg_without_inline_styles():
    drawn = sample([Marker(50_000, "Your volume"), Marker(10**9, "Off the chart")])
    html = render(drawn, "costs")
    assert "style=" not in html and "<style" not in html
    assert '<svg class="cost-chart__svg"' in html
    assert 'role="img" aria-labelledby="costs-title costs-desc"' in html
    assert '<title id="costs-title">Cost per month by volume</title>' in html
    assert f'<desc id="costs-desc">{drawn.description}</desc>' in html
    assert html.count("<polyline") == 3
    assert html.count('class="cost-chart__marker"') == 1
    assert "Off the chart" not in html
    for name in ("Serverless", "Kubernetes", "Virtual machines", "$1K", "10K", "1M"):
        assert name in html
    assert 'class="cost-chart__line cost-chart__line--3"' in html
    # Numbers are written for SVG, never localised with a decimal comma or grouping.
    for value in re.findall(r' (?:x|y|x1|y1|x2|y2|cx|cy)="([^"]*)"', html):
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), value
    for pair in re.findall(r'points="([^"]*)"', html):
        assert re.fullmatch(r"(-?[\d.]+,-?[\d.]+ ?)+", pair)


def test_every_class_the_partial_uses_is_in_the_stylesheet():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    html = render(sample([Marker(50_000, "Your volume")]), "costs")
    classes = {name for attr in re.findall(r'class="([^"]*)"', html) for name in attr.split()}
    assert classes
    for name in classes:
        assert f".{name}" in css, name


def test_two_charts_on_one_page_have_distinct_ids():
    html = render(sample(), "a") + render(sample(), "b")
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 4


def test_the_description_is_escaped():
    drawn = chart([Series("<b>Bad</b>", ((1, 1.0), (10, 2.0)))], [], title="A & B")
    html = render(drawn, "x")
    assert "<b>" not in html and "&lt;b&gt;Bad&lt;/b&gt;" in html and "A &amp; B" in html
