import pytest
from django.core.cache import cache
from hypothesis import settings

from decision import analytics, services

# Property tests check what happens, not how fast: on a loaded two-core machine (the suite
# runs beside a browser and a database server) one example may take longer than the default
# 200 ms deadline without anything being wrong.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: a query count must never measure a cache hit."""
    cache.clear()
    services.forget()
    analytics.forget()
    yield
    cache.clear()
    services.forget()
    analytics.forget()


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Tasks run in the request that enqueues them (on commit), as a site without a worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def staff(client, django_user_model):
    """A client signed in as a superuser called "editor"."""
    client.force_login(django_user_model.objects.create_superuser("editor", password="pw"))
    return client
