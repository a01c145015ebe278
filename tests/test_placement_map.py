"""The placement diagram's geometry: one column per option, boxes that never overlap."""

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from decision.placement_map import WIDTH, diagram


@dataclass(frozen=True)
class Item:
    name: str
    option_name: str
    form: str = ""


def test_one_column_per_option_in_order_of_first_appearance():
    drawn = diagram(
        [Item("Web API", "Cluster"), Item("Events", "Functions"), Item("Jobs", "Cluster")]
    )
    assert [column.name for column in drawn.columns] == ["Cluster", "Functions"]
    assert [len(column.boxes) for column in drawn.columns] == [2, 1]
    assert drawn.bus_y is not None and drawn.height > drawn.bus_y


def test_a_single_option_needs_no_connecting_bar():
    drawn = diagram([Item("Web API", "Cluster"), Item("Jobs", "Cluster")])
    assert drawn.bus_y is None


def test_a_long_name_wraps_inside_its_box():
    drawn = diagram(
        [
            Item("Web API", "Cluster"),
            Item("Event and queue processing and webhooks", "Functions", "Jobs"),
        ]
    )
    box = drawn.columns[1].boxes[0]
    assert len(box.lines) > 1
    assert (
        " ".join(line.text for line in box.lines)
        == "Event and queue processing and webhooks (Jobs)"
    )
    assert all(box.y < line.y <= box.y + box.height for line in box.lines)


names = st.text(
    alphabet=st.characters(whitelist_categories=("L",)) | st.just(" "), min_size=1, max_size=60
)


@given(st.lists(st.tuples(names, st.sampled_from(["A", "B", "C"])), min_size=1, max_size=6))
def test_boxes_stay_inside_the_drawing_and_never_overlap(items):
    drawn = diagram([Item(name.strip() or "x", option) for name, option in items])
    boxes = [box for column in drawn.columns for box in column.boxes]
    assert len(boxes) == len(items)
    for box in boxes:
        assert box.x >= 0 and box.x + box.width <= WIDTH
        assert box.y >= 0 and box.y + box.height <= drawn.height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
            apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart_x or apart_y
