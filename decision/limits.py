"""How many rows one client may write: fixed windows counted in the cache.

Every public write is limited per client (its address, as `client_address` finds it), so no
one can grow the database without bound:
- finishing the wizard: `RESULTS_PER_CLIENT` new results per `RESULTS_WINDOW_SECONDS`
  (finishing again with answers that already have a result costs nothing: it writes nothing);
- the scoping-call form and the vote: `FORMS_PER_CLIENT` each per `FORMS_WINDOW_SECONDS`.
With a shared cache (Redis) the counts hold across every process; with the local-memory
cache, per process. Only a hash of the address is kept, for the window's length.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str | None:
    """The visitor's address: REMOTE_ADDR, or the trusted proxy header settings name; None
    when the request carries none (a request built in code, such as a test's sign-in).

    Sign-in throttling (django-axes) uses this too, so both agree on who a client is; axes
    stores it in an IP address column, which takes an address or nothing.
    """
    address, _ = get_client_ip(
        request,
        proxy_count=settings.CLIENT_IP_PROXY_COUNT,
        request_header_order=settings.CLIENT_IP_HEADERS,
    )
    return address or request.META.get("REMOTE_ADDR") or None


def allow_new_result(request: HttpRequest) -> bool:
    """Count one new result for this client; False once its window's allowance is used up."""
    return allow(request, "results", settings.RESULTS_PER_CLIENT, settings.RESULTS_WINDOW_SECONDS)


def allow_form(request: HttpRequest, kind: str) -> bool:
    """Count one sent form of this kind ("lead", "vote"); False once the allowance is used."""
    return allow(request, kind, settings.FORMS_PER_CLIENT, settings.FORMS_WINDOW_SECONDS)


def allow(request: HttpRequest, kind: str, limit: int, window: int) -> bool:
    """Count one write of this kind for this client; False once `limit` is used up."""
    start = int(time.time()) // window
    address = client_address(request) or "no address"
    client = hashlib.sha256(address.encode()).hexdigest()[:32]
    key = f"limit:{kind}:{client}:{start}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr(): a new one starts
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def retry_after(now: float | None = None, window: int | None = None) -> int:
    """Seconds until the current window ends (the results' window unless one is given)."""
    window = window or settings.RESULTS_WINDOW_SECONDS
    now = time.time() if now is None else now
    return max(1, int(window - now % window))
