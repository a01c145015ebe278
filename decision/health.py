"""Probes for load balancers and orchestrators: liveness and readiness."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Comparison


@never_cache
@require_safe
def healthz(request):
    """The process is up and answering requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Content can be read; 503 when it cannot, so no traffic is routed here.

    It reads the content table itself, with the columns the latest migrations add: `SELECT 1`
    succeeds on an empty or unmigrated database (SQLite even creates a missing file).
    """
    table = Comparison._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, slug, status, updated_at FROM {table} LIMIT 1")
            cursor.fetchall()
    except DatabaseError as error:
        # Drop the connection: the next request opens a fresh one, so a database that comes
        # back is seen at once, not when a pooled connection ages out.
        connection.close()
        return JsonResponse({"status": "unavailable", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


PROBES = {"/healthz": healthz, "/readyz": readyz}


def probe_middleware(get_response):
    """Answer probes before host validation and the HTTPS redirect.

    Orchestrators call them by pod IP over plain HTTP, with no public Host header; the
    answer reveals nothing, so it needs neither check.
    """

    def middleware(request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return get_response(request)

    return middleware
