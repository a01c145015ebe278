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

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

CACHE_SECONDS = 24 * 3600

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
    digest = hashlib.sha256(
        repr((RELEASE, request.scheme, request.get_host(), *parts, updated_at)).encode()
    ).hexdigest()[:40]
    etag = quote_etag(digest)
    seconds = int(updated_at.timestamp())  # HTTP dates have whole seconds
    last_modified = http_date(seconds)
    not_modified = get_conditional_response(request, etag=etag, last_modified=seconds)
    if not_modified is not None:
        return not_modified
    body = cache.get(f"page:{digest}")
    if body is None:
        response = render()
        if response.status_code == 200:
            cache.set(f"page:{digest}", response.content, CACHE_SECONDS)
    else:
        response = HttpResponse(body)
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    # Shared caches may keep a copy but must check back: content edits show at once.
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return response
