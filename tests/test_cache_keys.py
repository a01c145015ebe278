"""Public pages depend on their path, the known wizard parameters and the content, nothing else:
what a visitor adds to a URL never reaches the page, a cache key or another visitor."""

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import Client
from pytest_django.asserts import assertNotContains

from decision.services import comparison_content, create_result
from tests.factories import load_flagship

pytestmark = pytest.mark.django_db
COMPARISON = "/kubernetes-vs-serverless/"
WIZARD = COMPARISON + "wizard/"


@pytest.fixture
def flagship():
    return load_flagship()


@pytest.fixture
def stored_pages():
    """The keys of the whole pages stored in the cache during the test."""
    cache = caches["default"]
    keys = []
    real_set = cache.set

    def spy(key, *args, **kwargs):
        if key.startswith("page:"):
            keys.append(key)
        return real_set(key, *args, **kwargs)

    with mock.patch.object(cache, "set", spy):
        yield keys


def links(html: str) -> tuple[str, str]:
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1)
    og_url = re.search(r'<meta property="og:url" content="([^"]*)"', html).group(1)
    return canonical, og_url


def result_url():
    content = comparison_content("kubernetes-vs-serverless")
    return create_result(content, dict(content.scenarios[0].answers)).get_absolute_url()


def test_a_tracking_parameter_never_reaches_the_canonical_link(client, flagship):
    for path in ["/", COMPARISON, result_url()]:
        poisoned = client.get(path + "?utm_source=POISONED")
        clean = client.get(path)
        assert links(poisoned.content.decode()) == (f"http://testserver{path}",) * 2, path
        assert clean.content == poisoned.content, path
        assertNotContains(clean, "POISONED")


def test_unknown_wizard_parameters_are_dropped_silently_and_never_stored(
    client, flagship, stored_pages
):
    clean = client.get(WIZARD)
    assert len(stored_pages) == 1
    junk = [
        "utm_source=newsletter&utm_medium=email",
        "fbclid=IwAR0abc",
        "gclid=Cj0KCQ",
        "Your account is locked. Call +1-800-555-0100=1",
        *(f"x{n}={n}" for n in range(50)),
    ]
    for query in junk:
        response = client.get(f"{WIZARD}?{query}")
        assert response.content == clean.content, query
        assertNotContains(response, 'role="alert"')
        assertNotContains(response, "account is locked")
    assert len(stored_pages) == 1  # every one of them was the same stored page


def test_answer_order_and_extra_keys_share_one_stored_step(client, flagship, stored_pages):
    model_order = (
        f"{WIZARD}?location=one-cloud&parts=web-api&parts=events&state=stateless&step=duration"
    )
    first = client.get(model_order)
    assert first.status_code == 200
    assertNotContains(first, 'role="alert"')  # every answer was used
    # Another order, a tracking key, and the parts as one comma-joined value in another order.
    other = client.get(
        f"{WIZARD}?step=duration&state=stateless&utm_id=7&parts=events,web-api&location=one-cloud"
    )
    assert other.content == first.content
    assert len(stored_pages) == 1


def test_a_history_restore_is_never_stored_as_the_page(client, flagship, stored_pages):
    htmx = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    restored = client.get(WIZARD, headers=htmx)
    assert stored_pages == []
    assert "HX-History-Restore-Request" in restored["Vary"]
    assert restored.content.decode().count('id="wizard-status"') == 1
    plain = client.get(WIZARD)
    assert plain.content.decode().count('id="wizard-status"') == 1
    assert plain.content == restored.content
    swap = client.get(WIZARD, headers={"HX-Request": "true"})
    assert "<html" not in swap.content.decode()  # the partial is still a partial


def test_every_visitor_gets_the_same_public_page(flagship):
    url = result_url()
    for path in ["/", COMPARISON, WIZARD, url]:
        alice = Client(HTTP_USER_AGENT="Alice", HTTP_ACCEPT_LANGUAGE="fr")
        bob = Client(HTTP_USER_AGENT="Bob", HTTP_ACCEPT_LANGUAGE="de", REMOTE_ADDR="10.9.8.7")
        bob.cookies["sessionid"] = "nonsense"
        first, second = alice.get(path + "?ref=alice"), bob.get(path)
        assert first.status_code == second.status_code == 200, path
        assert first.content == second.content, path
