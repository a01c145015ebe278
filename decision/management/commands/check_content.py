from django.core.management.base import BaseCommand, CommandError

from decision.gate import check
from decision.models import Comparison


class Command(BaseCommand):
    help = (
        "Check the content in the database as every save is checked: validate each comparison "
        "and run its scenarios; exit non-zero and name each problem and failing scenario."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="default: every comparison")

    def handle(self, *args, slugs, **options):
        slugs = slugs or list(Comparison.objects.values_list("slug", flat=True))
        problems: list[str] = []
        for slug in slugs:
            comparison = Comparison.objects.filter(slug=slug).first()
            if comparison is None:
                problems.append(f"{slug}: no such comparison")
                continue
            found = check(comparison)
            problems += [
                f"{slug}: scenario '{p.row.slug}' ({p.row.name}): {p.message}"
                if p.flipped
                else f"{slug}: {p.path}: {p.message}"
                for p in found
            ]
            if not found:
                count = comparison.scenarios.count()
                self.stdout.write(f"{slug}: content valid, {count} scenarios pass")
        if problems:
            raise CommandError(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
                + "\n".join(problems)
            )
