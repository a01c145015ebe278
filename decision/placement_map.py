"""The placement map as a small diagram: one column per option used, a box per part.

Pure geometry for the SVG template (no Django): every coordinate is computed here, so the
template only draws, and the picture is the same on the page, in print and in tests. The
diagram is 360 units wide, so on a 390 px phone it is drawn at about its natural size.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

WIDTH = 360
GAP = 20
HEADER = 28
LINE = 16
PAD = 8
BOX_GAP = 10
WRAP = 22  # characters per line in a box
BUS = 34


@dataclass(frozen=True)
class Line:
    y: int
    text: str


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    lines: tuple[Line, ...]
    text_x: int


@dataclass(frozen=True)
class Column:
    x: int
    width: int
    name: str
    boxes: tuple[Box, ...]
    centre: int
    bottom: int


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    columns: tuple[Column, ...]
    bus_y: int | None  # where the connecting bar sits, when the parts span several options
    bus_label: str


def diagram(placed, bus_label: str = "Events and queues between the parts") -> Diagram:
    """Lay out `placed` (objects with .name, .option_name and .form) by option."""
    by_option: dict[str, list] = {}
    for item in placed:
        by_option.setdefault(item.option_name, []).append(item)
    count = max(len(by_option), 1)
    width = (WIDTH - GAP * (count - 1)) // count
    columns = []
    for index, (name, items) in enumerate(by_option.items()):
        x = index * (width + GAP)
        y = HEADER
        boxes = []
        for item in items:
            text = item.name + (f" ({item.form})" if item.form else "")
            lines = tuple(textwrap.wrap(text, WRAP * width // 170) or [text])
            height = PAD * 2 + LINE * len(lines)
            placed_lines = tuple(
                Line(y + PAD + LINE * (n + 1) - 4, line) for n, line in enumerate(lines)
            )
            boxes.append(Box(x, y, width, height, placed_lines, x + width // 2))
            y += height + BOX_GAP
        columns.append(Column(x, width, name, tuple(boxes), x + width // 2, y - BOX_GAP))
    bottom = max((column.bottom for column in columns), default=HEADER)
    bus_y = bottom + BOX_GAP * 2 if len(columns) > 1 else None
    height = (bus_y + BUS) if bus_y is not None else bottom + 2
    return Diagram(WIDTH, height, tuple(columns), bus_y, bus_label)
