from django.core.management.base import BaseCommand, CommandError

from decision.content.facts import unsourced_figures
from decision.content.schema import ComparisonSchema
from decision.content.store import InvalidContent, read_comparison
from decision.gate import check
from decision.models import Comparison


class Command(BaseCommand):
    help = (
        "Check the content in the database as every save is checked: validate each comparison "
        "and run its scenarios, and check that every text stating a figure names its sources "
        "and the month they were checked; exit non-zero and name each problem and failing "
        "scenario. Scenarios that name a public source are listed with it."
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
            content = _content(slug)
            figures = unsourced_figures(content) if content is not None else []
            problems += [
                f"{slug}: {path or 'the comparison'}: {message}" for path, message in figures
            ]
            if not found and not figures:
                count = comparison.scenarios.count()
                self.stdout.write(f"{slug}: content valid, {count} scenarios pass")
                for scenario in content.scenarios:
                    if scenario.source:
                        self.stdout.write(
                            f"  scenario '{scenario.slug}' ({scenario.name}): {scenario.source}"
                        )
        if problems:
            raise CommandError(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
                + "\n".join(problems)
            )


def _content(slug: str) -> ComparisonSchema | None:
    """The stored comparison as schema data, or None when it does not validate (`check`
    has named why)."""
    try:
        return read_comparison(slug)
    except InvalidContent:
        return None
