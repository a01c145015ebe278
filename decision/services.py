"""The seam between the database and the pure core: content in, results out."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from .content.engine_data import engine_model
from .content.schema import ComparisonSchema
from .content.store import read_comparison
from .engine import Model, recommend
from .models import Comparison, Result
from .snapshot import dump_snapshot

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class CachedContent:
    content: ComparisonSchema
    model: Model  # the engine's view of the content, built once per version
    fingerprint: str
    updated_at: datetime


# This process's own copies, newest versions only: unpickling content from the shared cache
# on every request would cost more than rendering a page from it.
_LOCAL: dict[str, CachedContent] = {}
_LOCAL_LIMIT = 32


def cached_content(slug: str) -> CachedContent | None:
    """A comparison's content with its fingerprint: one query, then memory or the cache.

    The key holds the comparison's `updated_at`, which every content edit moves forward
    (decision.signals), so no process ever serves content older than the database's.
    """
    row = Comparison.objects.version_of(slug)
    if row is None:
        return None
    return content_at_version(slug, *row)


def content_at_version(slug: str, pk: int, updated_at: datetime) -> CachedContent | None:
    """The content of a comparison whose version (pk, updated_at) was just read."""
    key = f"comparison-content:{pk}:{updated_at.isoformat()}"
    found = _LOCAL.get(key)
    if found is not None:
        return found
    found = cache.get(key)
    if found is None:
        content = read_comparison(slug)
        if content is None:  # deleted between the two queries
            return None
        found = CachedContent(content, engine_model(content), fingerprint(content), updated_at)
        cache.set(key, found, CACHE_SECONDS)
    if len(_LOCAL) >= _LOCAL_LIMIT:
        _LOCAL.clear()
    _LOCAL[key] = found
    return found


def comparison_content(slug: str) -> ComparisonSchema | None:
    """Everything about one comparison as plain, validated data; None if there is none."""
    found = cached_content(slug)
    return found.content if found else None


def fingerprint(content: ComparisonSchema) -> str:
    """A short hash that changes whenever any part of the content changes."""
    text = json.dumps(content.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def create_result(
    content: ComparisonSchema,
    answers: dict[str, str],
    *,
    model: Model | None = None,
    content_fingerprint: str | None = None,
) -> Result:
    """Compute the recommendation and freeze it, with its content, behind a new token."""
    recommendation = recommend(model or engine_model(content), answers)
    return Result.objects.create(
        token=secrets.token_urlsafe(24),  # 192 random bits
        comparison=Comparison.objects.only("pk").get(slug=content.slug),
        comparison_slug=content.slug,
        answers=dict(recommendation.answers),
        outcome=recommendation.outcome,
        snapshot=dump_snapshot(content, recommendation),
        content_fingerprint=content_fingerprint or fingerprint(content),
    )
