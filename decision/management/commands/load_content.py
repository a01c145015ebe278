from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.db.models import RestrictedError

from decision.content.files import ContentError, parse_files
from decision.gate import ContentRefused, load_comparisons
from decision.models import Comparison


class Command(BaseCommand):
    help = (
        "Validate fixture files, then load them in one transaction. An invalid file changes "
        "nothing; loading the same file again changes nothing; rows missing from a file are "
        "removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="fixture files (YAML)")
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="leave comparisons already in the database alone (for deploy jobs: "
            "edits made in admin survive)",
        )

    def handle(self, *args, files, skip_existing=False, **options):
        try:
            parsed = comparisons = parse_files(files, max_bytes=settings.CONTENT_MAX_FILE_BYTES)
        except ContentError as error:
            count = len(error.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found; nothing was loaded.\n{error}"
            ) from None
        if skip_existing:
            existing = set(
                Comparison.objects.filter(slug__in=[c.slug for c in comparisons]).values_list(
                    "slug", flat=True
                )
            )
            for slug in sorted(existing):
                self.stdout.write(f"Skipped {slug} (already loaded)")
            comparisons = [c for c in comparisons if c.slug not in existing]
        names = {comparison.slug: path for path, comparison in zip(files, parsed, strict=True)}
        try:
            saved = load_comparisons(comparisons, sources=names)
        except (RestrictedError, IntegrityError) as error:
            raise CommandError(
                f"The database refused the load; nothing was loaded: {error}"
            ) from None
        except ContentRefused as error:
            raise CommandError(
                f"{len(error.problems)} problem(s) found; nothing was loaded.\n"
                + "\n".join(f"{p.path}: {p.message}" for p in error.problems)
            ) from None
        for comparison in saved:
            self.stdout.write(f"Loaded {comparison.slug}")
