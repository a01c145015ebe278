"""The benchmark's settings and URLconf, written as modules into the run's temporary directory.

The settings are decision.settings with two changes: STATIC_ROOT there (the checkout's
staticfiles/ is neither touched nor relied on) and a URLconf that is the app's plus, after all
of its patterns, one diagnostic URL: the "Django floor", a view with nothing to compute that
returns the static ceiling's bytes through the whole middleware stack.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.pages import CEILING_PATH, FLOOR_PATH
from bench.server import BASE_DIR

SETTINGS_MODULE = '''"""decision.settings, for the benchmark."""

from decision.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
ROOT_URLCONF = "bench_urls"
'''
URLS_MODULE = '''"""decision.urls, plus the benchmark's Django floor after every app pattern."""

import functools
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import path

from decision.urls import urlpatterns as app_patterns


@functools.cache
def body() -> bytes:
    return (Path(settings.STATIC_ROOT) / {ceiling!r}).read_bytes()


def floor(request):
    """The same bytes as the static ceiling, through the whole middleware stack: no work."""
    return HttpResponse(body())


urlpatterns = [*app_patterns, path({floor!r}, floor)]
'''


def bench_settings(tmp: Path) -> dict[str, str]:
    """Write the two modules into tmp; the environment that makes the server use them."""
    (tmp / "bench_settings.py").write_text(
        SETTINGS_MODULE.format(static_root=str(tmp / "static")), encoding="utf-8"
    )
    (tmp / "bench_urls.py").write_text(
        URLS_MODULE.format(ceiling=CEILING_PATH, floor=FLOOR_PATH), encoding="utf-8"
    )
    paths = [str(tmp), str(BASE_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {"DJANGO_SETTINGS_MODULE": "bench_settings", "PYTHONPATH": os.pathsep.join(paths)}
