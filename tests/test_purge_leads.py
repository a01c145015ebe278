"""`manage.py purge_leads`: leads and vote comments go after LEAD_RETENTION_DAYS, votes stay.

"Older than N days" is strict: a lead created exactly N days before the run is kept. The
clock is fixed during each run, so "exactly" means exactly.
"""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from decision.models import Lead, Vote
from decision.services import comparison_content, create_result
from tests.factories import comparison_data, load_data

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
DAYS = 180
ANSWERS = [
    {"question-1": "favour-option-1"},
    {"question-1": "favour-option-2"},
    {"question-1": "must-avoid"},
]


def aged(model, row, days: float):
    """Set a row's created_at (auto_now_add) to `days` days before NOW."""
    model.objects.filter(pk=row.pk).update(created_at=NOW - timedelta(days=days))
    return row


def lead_aged(days: float) -> Lead:
    lead = Lead.objects.create(
        comparison_slug="demo",
        name=f"Lead {days}",
        email="someone@example.com",
        consent="You may contact me.",
    )
    return aged(Lead, lead, days)


@pytest.fixture
def votes_aged():
    """Three votes with comments, DAYS - 1, DAYS and DAYS + 1 days old, by age."""
    comparison = load_data(comparison_data())
    content = comparison_content(comparison.slug)
    votes = {}
    for days, answers in zip((DAYS - 1, DAYS, DAYS + 1), ANSWERS, strict=True):
        result = create_result(content, answers)
        vote = Vote.objects.create(
            result=result,
            comparison_slug=result.comparison_slug,
            outcome=result.outcome,
            content=result.content,
            answer=Vote.Answer.PARTLY,
            comment=f"A comment {days} days old",
        )
        votes[days] = aged(Vote, vote, days)
    return votes


def purge(*args: str) -> str:
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("purge_leads", *args, stdout=out)
    return out.getvalue().strip()


def names() -> set[str]:
    return set(Lead.objects.values_list("name", flat=True))


def test_only_leads_strictly_older_than_the_retention_are_deleted(settings, votes_aged):
    settings.LEAD_RETENTION_DAYS = DAYS
    for days in (DAYS - 1, DAYS, DAYS + 1, 2 * DAYS):
        lead_aged(days)

    out = purge()

    assert names() == {f"Lead {DAYS - 1}", f"Lead {DAYS}"}
    assert out == (
        f"Older than {DAYS} days: deleted 2 leads (and 0 admin history entries about leads), "
        "cleared 1 vote comments."
    )


def test_old_votes_are_kept_with_their_comment_cleared(settings, votes_aged):
    settings.LEAD_RETENTION_DAYS = DAYS
    purge()
    comments = {days: Vote.objects.get(pk=vote.pk).comment for days, vote in votes_aged.items()}
    assert comments == {
        DAYS - 1: f"A comment {DAYS - 1} days old",
        DAYS: f"A comment {DAYS} days old",
        DAYS + 1: "",
    }
    old = Vote.objects.get(pk=votes_aged[DAYS + 1].pk)
    assert (old.answer, old.outcome) == (Vote.Answer.PARTLY, votes_aged[DAYS + 1].outcome)


def test_a_dry_run_changes_nothing_and_says_what_it_would_do(settings, votes_aged):
    settings.LEAD_RETENTION_DAYS = DAYS
    for days in (DAYS - 1, DAYS + 1, DAYS + 2):
        lead_aged(days)

    out = purge("--dry-run")

    assert names() == {f"Lead {DAYS - 1}", f"Lead {DAYS + 1}", f"Lead {DAYS + 2}"}
    assert Vote.objects.exclude(comment="").count() == 3
    assert out == (
        f"Older than {DAYS} days: would delete 2 leads (and 0 admin history entries about "
        "leads), would clear 1 vote comments. Dry run: nothing was changed."
    )


def test_days_overrides_the_setting(settings):
    settings.LEAD_RETENTION_DAYS = DAYS
    for days in (1, 10, 11):
        lead_aged(days)
    assert purge("--days", "10").startswith("Older than 10 days: deleted 1 leads")
    assert names() == {"Lead 1", "Lead 10"}
    purge("--days", "0")
    assert not Lead.objects.exists()


def test_the_default_follows_the_setting(settings):
    settings.LEAD_RETENTION_DAYS = 30
    lead_aged(29)
    lead_aged(31)
    assert purge().startswith("Older than 30 days: deleted 1 leads")
    assert names() == {"Lead 29"}


def test_admin_history_naming_a_deleted_lead_goes_with_it(settings):
    """An admin change is logged as "Name <email>": it must not outlive the lead."""
    settings.LEAD_RETENTION_DAYS = DAYS
    old, recent = lead_aged(DAYS + 1), lead_aged(1)
    user = get_user_model().objects.create_user("seller", is_staff=True)
    lead_type = ContentType.objects.get_for_model(Lead)
    for lead in (old, recent):  # both changed yesterday
        entry = LogEntry.objects.create(
            user=user,
            content_type=lead_type,
            object_id=str(lead.pk),
            object_repr=str(lead),
            action_flag=CHANGE,
            change_message="Changed status.",
        )
        LogEntry.objects.filter(pk=entry.pk).update(action_time=NOW - timedelta(days=1))
    gone = LogEntry.objects.create(  # about a lead deleted by hand long ago
        user=user,
        content_type=lead_type,
        object_id="999999",
        object_repr="Someone <someone@example.com>",
        action_flag=CHANGE,
    )
    LogEntry.objects.filter(pk=gone.pk).update(action_time=NOW - timedelta(days=DAYS + 5))
    other = LogEntry.objects.create(  # another model's entry with the same id is not touched
        user=user,
        content_type=ContentType.objects.get_for_model(Vote),
        object_id=str(old.pk),
        object_repr="demo: No on option-1",
        action_flag=CHANGE,
    )

    assert "(and 2 admin history entries about leads)" in purge()

    assert list(LogEntry.objects.order_by("pk").values_list("object_id", flat=True)) == [
        str(recent.pk),
        other.object_id,
    ]


def test_negative_days_are_refused():
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        call_command("purge_leads", "--days", "-1", stdout=StringIO())
