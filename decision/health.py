"""Probes for load balancers and orchestrators: liveness and readiness."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """The process is up and answering requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """The database answers; 503 when it does not, so no traffic is routed here."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
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
