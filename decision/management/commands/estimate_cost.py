import json

from django.core.management.base import BaseCommand, CommandError

from decision import costs
from decision.estimate_form import EstimateForm
from decision.estimates import plans_of, priced_options, suggested
from decision.services import comparison_content


class Command(BaseCommand):
    help = (
        "Print a cost estimate as JSON: the inputs used, each option's plans with their bills, "
        "and the break-even volumes. Keys are the cost page's query parameters; a key left out "
        "takes its stated default."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the comparison's slug")
        parser.add_argument("inputs", nargs="*", metavar="KEY=VALUE")

    def handle(self, *args, slug, inputs, **options):
        content = comparison_content(slug)
        if content is None:
            raise CommandError(f"No comparison with slug '{slug}'.")
        if not priced_options(content):
            raise CommandError(f"'{slug}' has no price plans to estimate with.")
        given: dict[str, str] = {}
        for item in inputs:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"'{item}' is not KEY=VALUE.")
            given[key] = value
        hints = suggested(content)
        form = EstimateForm(content, hints, given)
        # The cost page ignores parameters it does not know; on the command line they are typos.
        unknown = [key for key in given if key not in form.names()]
        if unknown:
            raise CommandError(
                f"'{unknown[0]}' is not an input of the estimate "
                f"(the inputs are: {', '.join(form.fields)})."
            )
        if not form.is_valid():
            raise CommandError(
                "\n".join(
                    f"{key}={given.get(key, '')}: {' '.join(errors)}"
                    for key, errors in form.errors.items()
                )
            )
        plans = plans_of(content)
        estimate = costs.estimate(plans, form.inputs(), priced_options(content))
        self.stdout.write(json.dumps(_as_json(form, estimate), indent=2, ensure_ascii=False))


def _as_json(form: EstimateForm, estimate: costs.Estimate) -> dict:
    return {
        "inputs": {
            name: {"value": value, "from": form.origin(name)}
            for name, value in form.values().items()
        },
        "options": [
            {
                "option": option.option,
                "monthly_total": round(option.total, 2),
                "cheapest_plan": option.cheapest.plan.slug,
                "people": {
                    "detail": option.people.detail,
                    "amount": round(option.people.amount, 2),
                },
                "plans": [
                    {
                        "plan": plan.plan.slug,
                        "name": plan.plan.name,
                        "region": plan.plan.region,
                        "monthly_total": round(plan.total, 2),
                        "lines": [
                            {
                                "label": line.label,
                                "detail": line.detail,
                                "amount": round(line.amount, 2),
                            }
                            for line in plan.lines
                        ],
                    }
                    for plan in option.plans
                ],
            }
            for option in estimate.options
        ],
        "break_evens": [
            {
                "cheaper_below": even.first,
                "cheaper_from": even.second,
                "requests_per_month": even.volume,
            }
            for even in estimate.break_evens
        ],
        "note": f"An estimate, not a quote: on-demand list prices. Left out: {costs.LEFT_OUT}.",
    }
