"""Delete sign-in records older than the retention period (settings.AXES_LOG_RETENTION_DAYS).

django-axes purges its access logs by age (`axes_reset_logs --age`, `axes_reset_failure_logs
--age`) but its attempts only all at once (`axes_reset`); this command ages out all three, so
the addresses and usernames they hold are not kept for ever. Run it daily (a cron job, or a
Kubernetes CronJob with the site's image).
"""

from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone


def purge_login_records(*, older_than: datetime) -> dict[str, int]:
    """Delete attempts, failure logs and access logs from before `older_than`.

    Returns the number of rows deleted per kind. An attempt still inside its cool-off is kept
    whatever its age, so a purge never lifts a lockout early.
    """
    cool_off = get_cool_off()
    attempts_before = min(older_than, timezone.now() - cool_off) if cool_off else older_than
    kinds = {
        "attempts": (AccessAttempt, attempts_before),
        "failure logs": (AccessFailureLog, older_than),
        "access logs": (AccessLog, older_than),
    }
    counts = {}
    with transaction.atomic():
        for kind, (model, before) in kinds.items():
            # delete() also counts cascaded rows (an attempt's expiration): keep the model's own.
            _, by_model = model.objects.filter(attempt_time__lt=before).delete()
            counts[kind] = by_model.get(model._meta.label, 0)
    return counts


class Command(BaseCommand):
    help = "Delete sign-in attempts and logs older than AXES_LOG_RETENTION_DAYS (or --days) days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.AXES_LOG_RETENTION_DAYS,
            help="keep records this many days (default: AXES_LOG_RETENTION_DAYS, %(default)s)",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        counts = purge_login_records(older_than=timezone.now() - timedelta(days=days))
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(f"Deleted sign-in records older than {days} days: {summary}.")
