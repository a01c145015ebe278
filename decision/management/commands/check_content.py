from django.core.management.base import BaseCommand, CommandError

from decision.content.engine_data import engine_model, engine_scenarios
from decision.content.files import Problem
from decision.content.schema import reference_problems
from decision.models import Comparison
from decision.scenarios import scenario_failures
from decision.services import comparison_content


class Command(BaseCommand):
    help = (
        "Validate the content in the database and run every scenario; exit non-zero and "
        "name each problem and failing scenario."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="default: every comparison")

    def handle(self, *args, slugs, **options):
        slugs = slugs or list(Comparison.objects.values_list("slug", flat=True))
        problems: list[str] = []
        for slug in slugs:
            content = comparison_content(slug)
            if content is None:
                problems.append(f"{slug}: no such comparison")
                continue
            found = [str(Problem(slug, p, m)) for p, m in reference_problems(content)]
            failures = [
                f"{slug}: {f}"
                for f in scenario_failures(engine_model(content), engine_scenarios(content))
            ]
            problems += found + failures
            if not found and not failures:
                self.stdout.write(f"{slug}: content valid, {len(content.scenarios)} scenarios pass")
        if problems:
            raise CommandError(
                f"{len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
                + "\n".join(problems)
            )
