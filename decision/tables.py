"""The side-by-side table: one row per dimension, one cell per option, the winner in words."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    option: object
    text: str
    wins: bool


@dataclass(frozen=True)
class Row:
    dimension: object
    cells: list[Cell]
    winner_name: str
    is_tie: bool
    matters: bool


def dimension_rows(
    dimensions: Iterable, options: list, *, mattering: Collection[str] = ()
) -> list[Row]:
    """Build table rows from prefetched dimensions, in the options' order.

    `mattering` holds the slugs of dimensions to mark "matters for you" on a result page.
    """
    rows = []
    for dimension in dimensions:
        texts = {a.option_id: a.text for a in dimension.assessments.all()}
        winner_id = dimension.winner_id
        rows.append(
            Row(
                dimension=dimension,
                cells=[
                    Cell(option=o, text=texts.get(o.pk, "—"), wins=o.pk == winner_id)
                    for o in options
                ],
                winner_name=dimension.winner.name if dimension.winner else "Tie",
                is_tie=winner_id is None,
                matters=dimension.slug in mattering,
            )
        )
    return rows
