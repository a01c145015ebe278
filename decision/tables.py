"""The side-by-side table: one row per dimension, one cell per option, the winner in words."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .content.schema import TIE, ComparisonSchema, DimensionSchema, OptionSchema


@dataclass(frozen=True)
class Cell:
    option: OptionSchema
    text: str
    wins: bool


@dataclass(frozen=True)
class Row:
    dimension: DimensionSchema
    cells: list[Cell]
    winner_name: str
    is_tie: bool
    matters: bool


def dimension_rows(content: ComparisonSchema, *, mattering: Collection[str] = ()) -> list[Row]:
    """Table rows in content order; `mattering` marks rows as "matters for you"."""
    names = {option.slug: option.name for option in content.options}
    return [
        Row(
            dimension=dimension,
            cells=[
                Cell(
                    option=option,
                    text=dimension.assessments.get(option.slug, "—"),
                    wins=dimension.winner == option.slug,
                )
                for option in content.options
            ],
            winner_name=names.get(dimension.winner, "Tie"),
            is_tie=dimension.winner == TIE,
            matters=dimension.slug in mattering,
        )
        for dimension in content.dimensions
    ]
