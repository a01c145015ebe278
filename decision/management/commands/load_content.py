from django.core.management.base import BaseCommand, CommandError

from decision.content.files import ContentError, parse_files
from decision.content.store import save_comparisons


class Command(BaseCommand):
    help = (
        "Validate fixture files, then load them in one transaction. An invalid file changes "
        "nothing; loading the same file again changes nothing; rows missing from a file are "
        "removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="fixture files (YAML)")

    def handle(self, *args, files, **options):
        try:
            comparisons = parse_files(files)
        except ContentError as error:
            count = len(error.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found; nothing was loaded.\n{error}"
            ) from None
        for comparison in save_comparisons(comparisons):
            self.stdout.write(f"Loaded {comparison.slug}")
