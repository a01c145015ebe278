"""Turn a validated fixture into the engine's plain data (no database involved)."""

from __future__ import annotations

from decision.engine import Caveat, Choice, Model, Question, RuleOut
from decision.scenarios import Scenario

from .schema import ComparisonSchema


def engine_model(comparison: ComparisonSchema) -> Model:
    return Model(
        options=tuple(option.slug for option in comparison.options),
        default_option=comparison.default_option,
        winners={dimension.slug: dimension.winner for dimension in comparison.dimensions},
        questions=tuple(
            Question(
                slug=question.slug,
                prompt=question.prompt,
                help=question.help,
                show_if=(question.show_if.question, question.show_if.choice)
                if question.show_if
                else None,
                multiple=question.multiple,
                parts=tuple(question.parts),
                choices=tuple(
                    Choice(
                        slug=choice.slug,
                        label=choice.label,
                        why=choice.why,
                        weights=dict(choice.weights),
                        rules_out=tuple(RuleOut(r.option, r.reason) for r in choice.rules_out),
                        dimensions=tuple(choice.dimensions),
                        criteria=tuple(choice.criteria),
                        caveats=tuple(
                            Caveat(
                                option=caveat.option,
                                form=caveat.form,
                                text=caveat.text,
                                sources=tuple(caveat.sources),
                                as_of=caveat.as_of,
                            )
                            for caveat in choice.caveats
                        ),
                    )
                    for choice in question.choices
                ),
            )
            for question in comparison.questions
        ),
    )


def engine_scenarios(comparison: ComparisonSchema) -> list[Scenario]:
    return [
        Scenario(
            slug=s.slug, name=s.name, answers=dict(s.answers), outcome=s.outcome, source=s.source
        )
        for s in comparison.scenarios
    ]
