import pytest
from django.core.cache import cache

from decision import services


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with empty caches: a query count must never measure a cache hit."""
    cache.clear()
    services.forget()
    yield
    cache.clear()
    services.forget()


@pytest.fixture
def staff(client, django_user_model):
    """A client signed in as a superuser called "editor"."""
    client.force_login(django_user_model.objects.create_superuser("editor", password="pw"))
    return client
