"""Whole-page caching for public pages whose HTML depends only on content and the URL.

Keys include the content's `updated_at` (moved forward by every edit, see decision.signals),
so an edit shows on the next request in every process and stale pages simply age out.
Pages that carry per-request data (CSRF tokens, CSP nonces) must not use this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

CACHE_SECONDS = 24 * 3600

# This process's copies of the pages it served last (keys hold the content version, so a copy
# is never stale): a hit in the shared cache still costs a lookup and a copy of the bytes.
_LOCAL: dict[tuple, _Page] = {}
_LOCAL_LIMIT = 256

try:  # a new release changes templates, so it must change every key and ETag too
    RELEASE = version("decision-wizard")
except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
    RELEASE = "dev"


def cached_page(
    request: HttpRequest,
    *,
    parts: tuple,
    updated_at: datetime,
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """Serve the page from cache (or render and store it), with ETag and Last-Modified.

    A request whose If-None-Match / If-Modified-Since still match gets a bodiless 304.
    """
    # The Host header as sent: CommonMiddleware has checked it against ALLOWED_HOSTS already,
    # and checking it again costs a third of a cache hit.
    host = request.META.get("HTTP_HOST") or request.get_host()
    key = (request.scheme, host, parts, updated_at)
    page = _LOCAL.get(key)
    response = None
    if page is None:
        page, response = _stored_or_rendered(key, render)
        if response is not None and response.status_code != 200:
            return response
        if len(_LOCAL) >= _LOCAL_LIMIT:
            _LOCAL.clear()
        _LOCAL[key] = page
    meta = request.META
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        seconds = int(updated_at.timestamp())
        not_modified = get_conditional_response(request, etag=page.etag, last_modified=seconds)
        if not_modified is not None:
            return not_modified
    if response is None:
        response = HttpResponse(page.body)
    response["ETag"] = page.etag
    response["Last-Modified"] = page.last_modified
    # Shared caches may keep a copy but must check back: content edits show at once.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


class _Page(NamedTuple):
    body: bytes
    etag: str
    last_modified: str


def _stored_or_rendered(key: tuple, render) -> tuple[_Page, HttpResponse | None]:
    """The page from the shared cache, or rendered (and stored when it is a 200)."""
    scheme, host, parts, updated_at = key
    digest = hashlib.sha256(repr((RELEASE, scheme, host, *parts, updated_at)).encode()).hexdigest()[
        :40
    ]
    seconds = int(updated_at.timestamp())  # HTTP dates have whole seconds
    body, response = cache.get(f"page:{digest}"), None
    if body is None:
        response = render()
        body = response.content
        if response.status_code == 200:
            cache.set(f"page:{digest}", body, CACHE_SECONDS)
    return _Page(body, f'"{digest}"', http_date(seconds)), response


def forget_pages() -> None:
    _LOCAL.clear()
