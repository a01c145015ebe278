"""Delete leads, and clear vote comments, older than settings.LEAD_RETENTION_DAYS.

A lead holds a visitor's name, work email, company and message; it is kept for the retention
period and then deleted, with the admin history entries that name it ("Jane <jane@…>").
A vote is kept (it belongs to its result and says only yes, partly or no), but the comment a
visitor may have typed with it is cleared. "Older than" is strict: a lead exactly the
retention period old is kept until the next run. Run it daily (a cron job, or the Kubernetes
CronJob in deploy/kubernetes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from decision.models import Lead, Vote


@dataclass(frozen=True)
class Purged:
    leads: int
    comments: int
    history: int


def purge_leads(*, older_than: datetime, dry_run: bool = False) -> Purged:
    """Delete the leads made before `older_than` and clear the comments of such votes.

    Returns how many leads, vote comments and admin history entries about leads went (or,
    with `dry_run`, would go); a dry run changes nothing.
    """
    leads = Lead.objects.filter(created_at__lt=older_than)
    comments = Vote.objects.filter(created_at__lt=older_than).exclude(comment="")
    # Admin history names a lead by its text id: entries about those leads, and any older
    # ones (about leads deleted by hand since).
    lead_ids = leads.annotate(text_id=Cast("pk", CharField())).values("text_id")
    history = LogEntry.objects.filter(
        Q(object_id__in=lead_ids) | Q(action_time__lt=older_than),
        content_type=ContentType.objects.get_for_model(Lead),
    )
    if dry_run:
        return Purged(leads.count(), comments.count(), history.count())
    with transaction.atomic():
        history_count, _ = history.delete()
        # delete() also counts rows that cascade from a lead: keep the leads' own count.
        _, by_model = leads.delete()
        lead_count = by_model.get(Lead._meta.label, 0)
        comment_count = comments.update(comment="")
    return Purged(lead_count, comment_count, history_count)


class Command(BaseCommand):
    help = "Delete leads and clear vote comments older than LEAD_RETENTION_DAYS (or --days) days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.LEAD_RETENTION_DAYS,
            help="keep leads and comments this many days (default: LEAD_RETENTION_DAYS, "
            "%(default)s)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="only say what would be deleted and cleared",
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        purged = purge_leads(older_than=timezone.now() - timedelta(days=days), dry_run=dry_run)
        verbs = ("would delete", "would clear") if dry_run else ("deleted", "cleared")
        self.stdout.write(
            f"Older than {days} days: {verbs[0]} {purged.leads} leads "
            f"(and {purged.history} admin history entries about leads), "
            f"{verbs[1]} {purged.comments} vote comments."
            + (" Dry run: nothing was changed." if dry_run else "")
        )
