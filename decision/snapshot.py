"""What a result stores: a typed, versioned snapshot of the recommendation and its content.

A permalink renders from its snapshot alone, forever. Snapshots are written in the current
format (`VERSION`) and read leniently: keys a later format dropped are ignored, keys an older
format lacked take their defaults, and text that today's rules would refuse (a source that is
not a URL, say) is accepted as stored. Nothing here imports Django.
"""

from __future__ import annotations

import types
from dataclasses import asdict
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from .content.schema import ComparisonSchema
from .engine import Recommendation

# 1: the first format, without a "version" key; 2: content stored once per version;
# 3: a placement for each part of the system, pointers, caveats and nearest-first flips.
VERSION = 3


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ContributionSnapshot(_Lenient):
    question: str
    choice: str = ""
    label: str = ""
    why: str = ""
    weights: dict[str, float] = Field(default_factory=dict)
    parts: list[str] = Field(default_factory=list)


class FlipSnapshot(_Lenient):
    question: str
    from_choice: str
    to_choice: str
    outcome: str
    distance: float = 0.0
    moves: list[tuple[str, str]] = Field(default_factory=list)


class PlacementSnapshot(_Lenient):
    part: str
    option: str
    runner_up: str | None = None
    confidence: float = 0.0
    label: str = ""
    scores: dict[str, float] = Field(default_factory=dict)
    ruled_out: dict[str, list[str]] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)


class PointerSnapshot(_Lenient):
    dimension: str
    option: str
    question: str
    choice: str


class CaveatSnapshot(_Lenient):
    question: str = ""
    choice: str = ""
    option: str
    form: str = ""
    text: str = ""
    sources: list[str] = Field(default_factory=list)
    as_of: str | None = None
    parts: list[str] = Field(default_factory=list)


class RecommendationSnapshot(_Lenient):
    outcome: str
    runner_up: str | None = None
    confidence: float = 0.0
    label: str = ""
    scores: dict[str, float] = Field(default_factory=dict)  # formats 1 and 2 only
    placements: list[PlacementSnapshot] = Field(default_factory=list)  # from format 3
    ruled_out: dict[str, list[str]] = Field(default_factory=dict)
    contributions: list[ContributionSnapshot] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list)
    dimensions: list[str] = Field(default_factory=list)
    pointers: list[PointerSnapshot] = Field(default_factory=list)
    caveats: list[CaveatSnapshot] = Field(default_factory=list)
    answers: dict[str, str] = Field(default_factory=dict)
    informative: int | None = None
    flips: list[FlipSnapshot] = Field(default_factory=list)


class Snapshot(_Lenient):
    version: int = 1
    content: ComparisonSchema
    recommendation: RecommendationSnapshot


def dump_content(content: ComparisonSchema) -> dict:
    """The content part of a snapshot: stored once per content version."""
    return content.model_dump(mode="json")


def dump_recommendation(recommendation: Recommendation) -> dict:
    """The recommendation part of a snapshot: stored with each result."""
    return _plain(asdict(recommendation))


def read_snapshot(data: Any) -> Snapshot:
    """A stored snapshot of any version, read leniently (raises pydantic's ValidationError)."""
    return Snapshot.model_validate(_known(Snapshot, data), context={"lenient": True})


def _known(annotation: Any, value: Any) -> Any:
    """`value` without the mapping keys that `annotation`'s models do not declare."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not isinstance(value, dict):
            return value
        fields = annotation.model_fields
        return {k: _known(fields[k].annotation, v) for k, v in value.items() if k in fields}
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and isinstance(value, list):
        return [_known(args[0], item) for item in value]
    if origin is dict and isinstance(value, dict):
        return {k: _known(args[1], v) for k, v in value.items()}
    if origin in (Union, types.UnionType) and isinstance(value, dict):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return _known(models[0], value) if models else value
    return value


def _plain(value: Any) -> Any:
    """Tuples and read-only mappings as JSON's lists and objects."""
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
