import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from decision import wizard
from decision.content.engine_data import engine_model
from decision.engine import recommend
from decision.services import comparison_content


class Command(BaseCommand):
    help = "Print the engine's recommendation for some answers as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the comparison's slug")
        parser.add_argument("answers", nargs="*", metavar="QUESTION=CHOICE")

    def handle(self, *args, slug, answers, **options):
        content = comparison_content(slug)
        if content is None:
            raise CommandError(f"No comparison with slug '{slug}'.")
        pairs = []
        for item in answers:
            question, sep, choice = item.partition("=")
            if not sep:
                raise CommandError(f"'{item}' is not QUESTION=CHOICE.")
            pairs.append((question, choice))
        model = engine_model(content)
        # The wizard drops unknown URL keys silently; on the command line they are typos.
        unknown = [question for question, _ in pairs if model.question(question) is None]
        if unknown:
            known = ", ".join(q.slug for q in model.questions)
            raise CommandError(
                f"'{unknown[0]}' is not one of our questions (the questions are: {known})."
            )
        state = wizard.parse(model, pairs)
        if state.notices:
            raise CommandError("\n".join(state.notices))
        recommendation = recommend(model, state.answers)
        result = asdict(recommendation) | {"scores": recommendation.scores}
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
