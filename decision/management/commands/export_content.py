from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from decision.content.files import dump_text
from decision.content.store import comparison_schema
from decision.models import Comparison


class Command(BaseCommand):
    help = "Print a comparison in the fixture format (or write it with --output)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the comparison's slug, e.g. kubernetes-vs-serverless")
        parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE, not stdout")

    def handle(self, *args, slug, output=None, **options):
        comparison = Comparison.objects.filter(slug=slug).first()
        if comparison is None:
            known = ", ".join(Comparison.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No comparison with slug '{slug}' (known: {known}).")
        text = dump_text(comparison_schema(comparison))
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error}") from None
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
