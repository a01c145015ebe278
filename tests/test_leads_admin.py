"""Leads and votes in admin: the "Sales" role, read-only visitor data, the CSV export.

Who sees leads: superusers and the Sales group. Content editors do not: a lead holds a
person's name and work email, and editing content needs neither. They see votes and the
analytics counts instead (migration 0014).
"""

import csv
import importlib
import io
from types import SimpleNamespace

import pytest
import reversion
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision

from decision.models import Comparison, ContentSnapshot, Lead, Result, Vote
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data
from tests.test_admin import FAVOUR_OPTION_2

pytestmark = pytest.mark.django_db

User = get_user_model()
SALES_PERMISSIONS = {"view_lead", "change_lead", "view_vote", "view_result", "view_dailycount"}
CONSENT = "You may contact me about this request."
CHANGELIST = "admin:decision_lead_changelist"


def member_of(client, group: str, username: str):
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def sales(client):
    return member_of(client, "Sales", "seller")


@pytest.fixture
def content_editor(client):
    return member_of(client, "Content editors", "writer")


@pytest.fixture
def result() -> Result:
    comparison = load_data(comparison_data())
    return create_result(comparison_content(comparison.slug), FAVOUR_OPTION_2)


def make_lead(result: Result | None = None, **fields) -> Lead:
    values = {
        "comparison_slug": "demo",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "company": "Analytical Engines",
        "message": "We run 40 services on VMs today.",
        "consent": CONSENT,
        **fields,
    }
    if result is not None:
        values.update(result=result, comparison=result.comparison)
    return Lead.objects.create(**values)


def change_url(lead: Lead) -> str:
    return reverse("admin:decision_lead_change", args=[lead.pk])


def export(client, leads=(), *, query: str = "", select_across: bool = False):
    data = {"action": "export_csv", "index": "0", "_selected_action": [lead.pk for lead in leads]}
    if select_across:
        data["select_across"] = "1"
    return client.post(reverse(CHANGELIST) + query, data)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the roles ------------------------------------------------------------------------------


def _codenames(group: str) -> set[str]:
    return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))


def test_the_migration_gives_sales_exactly_its_permissions_and_editors_no_leads():
    """Made on a fresh test database, where no permission existed before the migrations."""
    assert _codenames("Sales") == SALES_PERMISSIONS
    editors = _codenames("Content editors")
    assert {"view_dailycount", "view_vote"} <= editors
    assert not {c for c in editors if c.endswith("_lead")}
    assert not {c for c in editors if c.endswith(("_vote", "_dailycount"))} - {
        "view_vote",
        "view_dailycount",
    }


def test_the_migration_is_idempotent_and_reversible():
    migration = importlib.import_module("decision.migrations.0014_sales_group")
    schema_editor = SimpleNamespace(connection=connection)
    sales = Group.objects.get(name="Sales")
    sales.permissions.add(*Group.objects.get(name="Content editors").permissions.all())
    for _ in range(2):
        migration.grant(apps, schema_editor)
    assert _codenames("Sales") == SALES_PERMISSIONS  # exactly the role, whatever was added

    migration.revoke(apps, schema_editor)
    assert not Group.objects.filter(name="Sales").exists()
    assert not {"view_dailycount", "view_vote"} & _codenames("Content editors")
    migration.grant(apps, schema_editor)
    assert {"view_dailycount", "view_vote"} <= _codenames("Content editors")


# --- what Sales does ------------------------------------------------------------------------


def test_sales_lists_leads_with_a_link_to_each_result(sales, result):
    lead = make_lead(result)
    make_lead(name="Grace Hopper", email="grace@example.com", comparison_slug="other")
    page = sales.get(reverse(CHANGELIST))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Ada Lovelace", "ada@example.com", "Analytical Engines", "Grace Hopper"):
        assert text in html
    assert f'href="{result.get_absolute_url()}"' in html
    assert f'href="{change_url(lead)}"' in html
    assert 'name="form-0-status"' in html  # the status is edited in the list
    assert "Export selected leads as CSV" in html
    assert "Delete selected" not in html  # Sales cannot delete
    assert reverse("admin:decision_lead_add") not in html


def test_the_change_page_shows_the_visitor_read_only_and_their_answers_in_words(sales, result):
    lead = make_lead(result)
    page = sales.get(change_url(lead))
    assert page.status_code == 200
    html = page.content.decode()
    form = page.context["adminform"].form
    assert set(form.fields) == {"status", "notes"}
    for text in ("Ada Lovelace", "ada@example.com", "We run 40 services on VMs today.", CONSENT):
        assert text in html
    for name in ("name", "email", "company", "message", "consent"):
        assert f'name="{name}"' not in html
    # The result: its permalink, its admin page, its outcome and every answer in words.
    assert f'href="{result.get_absolute_url()}"' in html
    assert f'href="{reverse("admin:decision_result_change", args=[result.pk])}"' in html
    assert "Outcome: <strong>Option 2</strong>" in html
    content = comparison_content("demo")
    assert len(result.answers) == 3
    for question in content.questions:
        if question.slug in result.answers:
            label = next(
                c.label for c in question.choices if c.slug == result.answers[question.slug]
            )
            assert f"<th scope='row'>{question.prompt}</th><td>{label}</td>" in html


def test_a_lead_without_a_result_says_so(sales):
    html = sales.get(change_url(make_lead())).content.decode()
    assert "None: the visitor asked from the comparison page" in html


def test_sales_changes_status_and_notes_but_not_what_the_visitor_wrote(sales, result):
    lead = make_lead(result)
    data = {
        "status": "contacted",
        "notes": "Called on Monday.\r\nNext: a proposal.",
        "name": "Rewritten",
        "email": "rewritten@example.com",
        "message": "Rewritten",
        "consent": "Rewritten",
    }
    response = sales.post(change_url(lead), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONTACTED
    assert lead.notes == "Called on Monday.\nNext: a proposal."
    assert (lead.name, lead.email, lead.message, lead.consent) == (
        "Ada Lovelace",
        "ada@example.com",
        "We run 40 services on VMs today.",
        CONSENT,
    )
    assert lead.result == result


def test_sales_changes_the_status_in_the_list(sales):
    first, second = make_lead(), make_lead(name="Grace Hopper")
    page = sales.get(reverse(CHANGELIST))
    formset = page.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "Save",
    }
    for index, form in enumerate(formset.forms):
        data[f"form-{index}-id"] = str(form.instance.pk)
        data[f"form-{index}-status"] = "closed" if form.instance == first else "new"
    response = sales.post(reverse(CHANGELIST), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("closed", "new")


def test_saving_a_lead_touches_no_content_and_records_no_revision(sales, result):
    lead = make_lead(result)
    before = Comparison.objects.get(pk=result.comparison_id).updated_at
    revisions = Revision.objects.count()
    assert sales.post(change_url(lead), {"status": "closed", "notes": "Done."}).status_code == 302
    assert Comparison.objects.get(pk=result.comparison_id).updated_at == before
    assert Revision.objects.count() == revisions
    assert not reversion.is_registered(Lead)


def test_sales_sees_results_and_votes_in_admin(sales, result):
    Vote.objects.create(
        result=result,
        comparison_slug=result.comparison_slug,
        outcome=result.outcome,
        content=result.content,
        answer=Vote.Answer.PARTLY,
        comment="Close, but we also run Kafka.",
    )
    assert sales.get(reverse("admin:decision_result_changelist")).status_code == 200
    page = sales.get(reverse("admin:decision_result_change", args=[result.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    votes = sales.get(reverse("admin:decision_vote_changelist"))
    assert votes.status_code == 200
    assert "Close, but we also run Kafka." in votes.content.decode()


def test_sales_cannot_open_or_change_content(sales):
    comparison = load_data(comparison_data())
    url = reverse("admin:decision_comparison_change", args=[comparison.pk])
    assert sales.get(url).status_code == 403
    assert sales.get(reverse("admin:decision_comparison_changelist")).status_code == 403
    assert sales.post(url, {"title": "Changed by sales", "slug": "demo"}).status_code == 403
    assert Comparison.objects.get(pk=comparison.pk).title == comparison.title
    index = sales.get(reverse("admin:index"))
    names = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert {"Lead", "Vote", "Result"} <= names
    assert not names & {"Comparison", "Option", "Question", "Plan", "User", "Group"}


def test_sales_and_content_editors_open_the_analytics_dashboard(client):
    load_data(comparison_data())
    assert client.get(reverse("analytics")).status_code == 302  # to sign in
    for group in ("Sales", "Content editors"):
        member_of(client, group, group.lower().replace(" ", "-"))
        assert client.get(reverse("analytics")).status_code == 200, group


def test_sales_cannot_delete_leads(sales):
    lead = make_lead()
    url = reverse("admin:decision_lead_delete", args=[lead.pk])
    assert sales.post(url, {"post": "yes"}).status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_nobody_adds_a_lead_in_admin(staff):
    assert staff.get(reverse("admin:decision_lead_add")).status_code == 403
    assert staff.get(reverse("admin:decision_vote_add")).status_code == 403


# --- the CSV export ----------------------------------------------------------------------------


def test_the_export_writes_the_selected_leads_as_safe_csv(sales, result):
    lead = make_lead(result, name='=HYPERLINK("http://evil")', message="+1 call me", company="")
    make_lead(name="Not selected")
    response = export(sales, [lead])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    assert response.content.startswith("\ufeff".encode())
    header, *rows = csv_rows(response)
    assert header == [
        "created",
        "status",
        "name",
        "email",
        "company",
        "message",
        "comparison",
        "result",
        "outcome",
    ]
    assert rows == [
        [
            lead.created_at.isoformat(timespec="seconds"),
            "New",
            '\'=HYPERLINK("http://evil")',
            "ada@example.com",
            "",
            "'+1 call me",
            "demo",
            f"http://testserver{result.get_absolute_url()}",
            "option-2",
        ]
    ]


def test_the_export_takes_the_whole_filtered_list_with_select_all(sales):
    new = [make_lead(name=f"New {n}") for n in range(3)]
    make_lead(name="Already contacted", status=Lead.Status.CONTACTED)
    response = export(sales, new[:1], query="?status__exact=new", select_across=True)
    assert response.status_code == 200
    names = {row[2] for row in csv_rows(response)[1:]}
    assert names == {"New 0", "New 1", "New 2"}
    assert csv_rows(response)[1][7:] == ["", ""]  # no result: no link, no outcome


# --- who cannot see leads --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_see_no_lead(client):
    lead = make_lead()
    for response in (
        client.get(reverse(CHANGELIST)),
        client.get(change_url(lead)),
        export(client, [lead]),
        export(client, [lead], select_across=True),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('admin:login')}?next=")
        assert b"Ada" not in response.content and b"ada@example.com" not in response.content


def test_content_editors_see_no_leads_but_see_votes(content_editor, result):
    lead = make_lead(result)
    for response in (
        content_editor.get(reverse(CHANGELIST)),
        content_editor.get(change_url(lead)),
        export(content_editor, [lead]),
        content_editor.post(change_url(lead), {"status": "closed", "notes": ""}),
    ):
        assert response.status_code == 403
        assert b"ada@example.com" not in response.content
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW
    index = content_editor.get(reverse("admin:index"))
    names = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert "Lead" not in names and "Vote" in names
    assert content_editor.get(reverse("admin:decision_vote_changelist")).status_code == 200


# --- votes -------------------------------------------------------------------------------------


def _vote(result: Result, comment: str = "") -> Vote:
    return Vote.objects.create(
        result=result,
        comparison_slug=result.comparison_slug,
        outcome=result.outcome,
        content=result.content,
        answer=Vote.Answer.NO,
        comment=comment,
    )


def test_votes_are_read_only_and_deleted_only_with_the_permission(staff, result):
    vote = _vote(result, "x" * 200)
    html = staff.get(reverse("admin:decision_vote_changelist")).content.decode()
    assert "x" * 79 + "…" in html and "x" * 81 not in html
    assert f'href="{result.get_absolute_url()}"' in html
    url = reverse("admin:decision_vote_change", args=[vote.pk])
    page = staff.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert staff.post(url, {"answer": "yes", "comment": ""}).status_code == 403
    vote.refresh_from_db()
    assert vote.answer == "no"
    delete = reverse("admin:decision_vote_delete", args=[vote.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 302
    assert not Vote.objects.exists()


# --- escaping and queries ----------------------------------------------------------------------


def test_what_visitors_and_stored_answers_hold_is_escaped(sales, result):
    lead = make_lead(result, name="<script>alert(1)</script>", message="<b>bold</b>")
    Result.objects.filter(pk=result.pk).update(answers={"question-1": "<img src=x>"})
    ContentSnapshot.objects.filter(pk=result.content_id).update(content={"unreadable": True})
    html = sales.get(change_url(lead)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html
    # An unreadable snapshot still shows the stored answers, as text.
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html
    assert "Outcome: <strong>option-2</strong>" in html
    listing = sales.get(reverse(CHANGELIST)).content.decode()
    assert "<script>alert(1)</script>" not in listing


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lead_list_reads_a_constant_number_of_queries(sales, result):
    make_lead(result)
    one = _queries(sales, reverse(CHANGELIST))
    for n in range(5):
        make_lead(result, name=f"Lead {n}")
    assert _queries(sales, reverse(CHANGELIST)) == one


@pytest.mark.parametrize(
    "query",
    [
        "?created_at__year=abc",
        "?created_at__gte=not-a-date",
        "?status__exact=%3Cscript%3E",
        "?o=99",
        "?q=%00%27",
        "?result__token=x",
        "?p=-1",
    ],
)
def test_odd_list_addresses_never_fail(staff, query):
    make_lead()
    for name in (CHANGELIST, "admin:decision_vote_changelist"):
        assert staff.get(reverse(name) + query).status_code in {200, 302, 400, 404}
