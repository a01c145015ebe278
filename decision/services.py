"""The seam between the database and the pure core: content in, results out."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from .content.engine_data import engine_model
from .content.schema import ComparisonSchema
from .content.store import read_comparison
from .engine import Model, recommend
from .models import Comparison, ContentSnapshot, Result
from .page_cache import forget_pages
from .snapshot import VERSION as SNAPSHOT_VERSION
from .snapshot import dump_content, dump_recommendation

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

# What this process last read about versions (a comparison's, a permalink's), and when. It is
# trusted for settings.CONTENT_RECHECK_SECONDS: an edit made in this process forgets it at once
# (decision.signals), an edit made in another process shows here within that time.
_VERSIONS: dict[str, tuple[float, tuple]] = {}
_PERMALINKS: dict[tuple[str, str], tuple[float, tuple]] = {}
_MEMO_LIMIT = 1024


def forget_versions() -> None:
    """Read versions afresh on the next request (called after every content edit)."""
    _VERSIONS.clear()
    _PERMALINKS.clear()


def forget() -> None:
    """Drop everything this process keeps in memory (tests start from nothing)."""
    forget_versions()
    forget_pages()
    _LOCAL.clear()


def _recent(memo: dict, key, read: Callable[[], tuple | None]) -> tuple | None:
    now = time.monotonic()
    seen = memo.get(key)
    if seen is not None and now - seen[0] < settings.CONTENT_RECHECK_SECONDS:
        return seen[1]
    value = read()
    if value is not None:  # what does not exist is asked again: unknown keys cost no memory
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = (now, value)
    return value


def cached_content(slug: str) -> CachedContent | None:
    """A comparison's content with its fingerprint: from memory, or one query and the cache.

    The key holds the comparison's `updated_at`, which every content edit moves forward
    (decision.signals), so no process serves content older than the database's for longer
    than settings.CONTENT_RECHECK_SECONDS.
    """
    row = _recent(_VERSIONS, slug, lambda: Comparison.objects.version_of(slug))
    if row is None:
        return None
    return content_at_version(slug, *row)


def permalink(slug: str, token: str) -> tuple | None:
    """What a permalink request needs before its cached page (Result.objects.permalink_row)."""
    return _recent(_PERMALINKS, (slug, token), lambda: Result.objects.permalink_row(slug, token))


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


def answers_key(answers: dict[str, str]) -> str:
    """The same answers, in any order, give the same key."""
    text = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def existing_result(content_fingerprint: str, answers: dict[str, str]) -> Result | None:
    """The result already made from these (effective) answers on this content version."""
    return Result.objects.filter(
        content__fingerprint=content_fingerprint, answers_key=answers_key(answers)
    ).first()


def create_result(
    content: ComparisonSchema,
    answers: dict[str, str],
    *,
    model: Model | None = None,
    content_fingerprint: str | None = None,
) -> Result:
    """The result for these answers on this content: the one already saved, or a new one.

    A new result gets a new token and shares its content version's snapshot with every other
    result made from it (written the first time that version is used).
    """
    model = model or engine_model(content)
    content_fingerprint = content_fingerprint or fingerprint(content)
    recommendation = recommend(model, answers)
    answers = dict(recommendation.answers)
    key = answers_key(answers)
    snapshot, _ = ContentSnapshot.objects.get_or_create(
        fingerprint=content_fingerprint,
        defaults={"version": SNAPSHOT_VERSION, "content": dump_content(content)},
    )
    try:
        with transaction.atomic():
            return Result.objects.create(
                token=secrets.token_urlsafe(24),  # 192 random bits
                comparison=Comparison.objects.only("pk").get(slug=content.slug),
                comparison_slug=content.slug,
                content=snapshot,
                answers=answers,
                answers_key=key,
                outcome=recommendation.outcome,
                recommendation=dump_recommendation(recommendation),
            )
    except IntegrityError:  # the same answers were saved a moment ago (another request)
        return Result.objects.get(content=snapshot, answers_key=key)
