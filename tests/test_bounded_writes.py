"""Finishing the wizard writes little: one content snapshot per version, one row per answer set,
and a per-client allowance of new results."""

import itertools

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from decision import wizard as steps
from decision.engine import NOT_SURE, effective_answers
from decision.limits import allow_new_result, client_address
from decision.models import Comparison, ContentSnapshot, Result
from decision.services import cached_content, create_result
from tests.factories import load_flagship

pytestmark = pytest.mark.django_db
SLUG = "kubernetes-vs-serverless"
FINISH = reverse("decision:wizard_finish", args=[SLUG])


def complete(model, answers: dict[str, str]) -> dict[str, str]:
    """These answers, with every question they leave open answered "not sure"."""
    answers = dict(answers)
    while (question := steps.current_question(model, answers, None)) is not None:
        answers[question.slug] = NOT_SURE
    return effective_answers(model, answers)


def answer_sets(count: int) -> list[dict[str, str]]:
    """`count` complete answer sets for the flagship wizard, each saving a result of its own.

    Different picks may come to the same answers once the engine drops the questions that no
    longer apply (after a knock-out, or about parts the system does not have), so only answer
    sets that differ after `effective_answers` count.
    """
    model = cached_content(SLUG).model
    always = [q for q in model.questions if q.show_if is None]
    options = [[c.slug for c in q.choices] for q in always[:4]]
    found = []
    for picks in itertools.product(*options):
        answers = complete(model, dict(zip((q.slug for q in always), picks, strict=False)))
        if answers not in found:
            found.append(answers)
        if len(found) == count:
            assert all(effective_answers(model, answers) == answers for answers in found)
            return found
    raise AssertionError("not enough answer sets")


def finish(client, answers, **extra):
    return client.post(FINISH, answers, **extra)


@pytest.fixture
def flagship():
    return load_flagship()


def test_results_share_one_snapshot_of_the_content_they_came_from(client, flagship):
    first, second = answer_sets(2)
    one, two = finish(client, first), finish(client, second)
    assert one.status_code == two.status_code == 302
    assert one["Location"] != two["Location"]

    assert Result.objects.count() == 2
    snapshot = ContentSnapshot.objects.get()
    assert set(Result.objects.values_list("content", flat=True)) == {snapshot.pk}
    assert snapshot.content["slug"] == SLUG
    assert snapshot.fingerprint == cached_content(SLUG).fingerprint
    # A result row holds its recommendation, not a copy of the content.
    for result in Result.objects.all():
        assert "content" not in result.recommendation
        assert result.recommendation["outcome"] == result.outcome

    assertContains(client.get(one["Location"]), snapshot.content["title"])


def test_the_same_answers_on_the_same_content_return_the_same_permalink(client, flagship):
    (answers,) = answer_sets(1)
    first = finish(client, answers)
    reordered = dict(reversed(list(answers.items())))
    again = finish(Client(REMOTE_ADDR="198.51.100.9"), reordered)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Result.objects.count() == 1
    htmx = finish(client, answers, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == first["Location"]
    assert Result.objects.count() == 1


def test_new_content_makes_a_new_result_and_old_links_keep_theirs(client, flagship):
    (answers,) = answer_sets(1)
    old = finish(client, answers)["Location"]
    Comparison.objects.filter(pk=flagship.pk).update(title="Kubernetes or serverless, revised")
    flagship.refresh_from_db()
    flagship.save()  # moves updated_at forward, as every edit does
    new = finish(client, answers)["Location"]
    assert new != old
    assert Result.objects.count() == 2
    assert ContentSnapshot.objects.count() == 2
    assertContains(client.get(new), "— Kubernetes or serverless, revised — Decision Wizard</title>")
    assertNotContains(
        client.get(old), "— Kubernetes or serverless, revised — Decision Wizard</title>"
    )


def test_a_client_past_its_allowance_gets_a_friendly_429_and_nothing_is_saved(
    client, flagship, settings
):
    settings.RESULTS_PER_CLIENT = 3
    sets = answer_sets(5)
    for answers in sets[:3]:
        assert finish(client, answers).status_code == 302
    refused = finish(client, sets[3])
    assert refused.status_code == 429
    assert Result.objects.count() == 3
    assert 0 < int(refused["Retry-After"]) <= settings.RESULTS_WINDOW_SECONDS
    assert "no-store" in refused["Cache-Control"]
    assertContains(refused, "can save 3 new recommendations every 60 minutes", status_code=429)
    # The way back keeps the refused answers.
    model = cached_content(SLUG).model
    back = reverse("decision:wizard", args=[SLUG]) + "?" + steps.query(model, sets[3])
    assertContains(refused, f'href="{back.replace("&", "&amp;")}"', status_code=429)

    # Answers that already have a result cost nothing and still work.
    assert finish(client, sets[0]).status_code == 302
    # With htmx, the message replaces the step (htmx is told to swap a 429).
    partial = finish(client, sets[4], headers={"HX-Request": "true"})
    assert partial.status_code == 429
    assertNotContains(partial, "<html", status_code=429)
    assertContains(partial, 'role="alert"', status_code=429)
    # Another client has its own allowance.
    assert finish(Client(REMOTE_ADDR="198.51.100.7"), sets[3]).status_code == 302
    assert Result.objects.count() == 4


def test_a_proxy_header_counts_only_when_the_settings_trust_it(client, flagship, settings):
    settings.RESULTS_PER_CLIENT = 1
    first, second, third = answer_sets(3)
    assert finish(client, first, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 302
    # Untrusted: a fresh header per request does not buy a fresh allowance.
    assert finish(client, second, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429

    settings.CLIENT_IP_HEADERS = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    assert finish(client, second, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302
    assert finish(client, third, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429
    assert Result.objects.count() == 2


def test_saving_the_same_answers_again_keeps_one_row_whoever_asks(flagship):
    """The unique constraint decides, so two requests at once cannot make two rows either."""
    content = cached_content(SLUG).content
    (answers,) = answer_sets(1)
    first = create_result(content, answers)
    second = create_result(content, answers)
    assert second.token == first.token
    assert Result.objects.count() == 1 and ContentSnapshot.objects.count() == 1


BEFORE, AFTER = "0007_slugs_as_long_as_the_schema_allows", "0008_results_share_content_snapshots"


@pytest.mark.django_db(transaction=True)
def test_existing_results_move_to_shared_snapshots_and_keep_their_links():
    executor = MigrationExecutor(connection)
    executor.migrate([("decision", BEFORE)])
    old = executor.loader.project_state([("decision", BEFORE)]).apps.get_model("decision", "Result")
    stored = {
        "version": 2,
        "content": {"slug": "old", "title": "Old content"},
        "recommendation": {"outcome": "x", "answers": {"q": "a"}},
    }
    rows = [
        ("first", "v1", {"q": "a"}),
        ("repeat", "v1", {"q": "a"}),  # the same answers on the same content, saved twice
        ("other", "v1", {"q": "b"}),
        ("newer", "v2", {"q": "a"}),
    ]
    for token, fingerprint, answers in rows:
        old.objects.create(
            token=f"{token}-token-0123456789",
            comparison_slug="old",
            answers=answers,
            outcome="x",
            snapshot=stored,
            content_fingerprint=fingerprint,
        )
    executor = MigrationExecutor(connection)
    executor.migrate([("decision", AFTER)])

    assert sorted(ContentSnapshot.objects.values_list("fingerprint", flat=True)) == ["v1", "v2"]
    results = {r.token.split("-")[0]: r for r in Result.objects.select_related("content")}
    assert len(results) == 4
    assert results["first"].content == results["repeat"].content == results["other"].content
    assert results["first"].snapshot == stored and results["newer"].snapshot == stored
    assert results["first"].answers_key is not None and results["repeat"].answers_key is None
    assert results["first"].answers_key != results["other"].answers_key
    assert results["first"].answers_key == results["newer"].answers_key

    # And back: each row gets its own copy again.
    executor = MigrationExecutor(connection)
    executor.migrate([("decision", BEFORE)])
    old = executor.loader.project_state([("decision", BEFORE)]).apps.get_model("decision", "Result")
    assert {r.content_fingerprint for r in old.objects.all()} == {"v1", "v2"}
    assert all(r.snapshot == stored for r in old.objects.all())
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_request_without_an_address_has_none_and_still_counts(settings, rf):
    """Axes stores the address in an IP column: a request built in code must give None."""
    settings.RESULTS_PER_CLIENT = 1
    request = rf.get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None
    assert allow_new_result(request) and not allow_new_result(request)
