"""The fixture format rejects bad content with a message naming file, path and problem."""

import pytest

from decision.content.files import ContentError, dump_text, parse_text
from decision.vocabulary import COMBINE, NO_FIT, NOT_ENOUGH
from tests.factories import FLAGSHIP, comparison_data, modified, to_yaml


def _errors(data_or_text) -> list[str]:
    text = data_or_text if isinstance(data_or_text, str) else to_yaml(data_or_text)
    with pytest.raises(ContentError) as caught:
        parse_text(text, file="fixtures/broken.yaml")
    return [str(problem) for problem in caught.value.problems]


INVALID = {
    "unknown top-level key": (
        lambda d: d.update(colour="blue"),
        "fixtures/broken.yaml: colour: unknown key",
    ),
    "unknown key inside an option": (
        lambda d: d["options"][1].update(price="free"),
        "fixtures/broken.yaml: options[1].price: unknown key",
    ),
    "duplicate option slug": (
        lambda d: d["options"][1].update(slug="option-1"),
        "fixtures/broken.yaml: options[1].slug: duplicate option slug 'option-1'",
    ),
    "duplicate dimension slug": (
        lambda d: d["dimensions"][2].update(slug="dimension-1"),
        "fixtures/broken.yaml: dimensions[2].slug: duplicate dimension slug 'dimension-1'",
    ),
    "duplicate criterion slug across options": (
        lambda d: d["options"][1]["criteria"][0].update(slug="option-1-when-1"),
        "fixtures/broken.yaml: options[1].criteria[0].slug: duplicate criterion slug "
        "'option-1-when-1'",
    ),
    "winner that names no option": (
        lambda d: d["dimensions"][2].update(winner="lambda"),
        "fixtures/broken.yaml: dimensions[2].winner: 'lambda' is not an option of this "
        "comparison (options: option-1, option-2; or 'tie')",
    ),
    "assessment for an unknown option": (
        lambda d: d["dimensions"][0]["assessments"].update(fargate="Fine"),
        "fixtures/broken.yaml: dimensions[0].assessments.fargate: 'fargate' is not an option",
    ),
    "dimension missing an assessment": (
        lambda d: d["dimensions"][1]["assessments"].pop("option-2"),
        "fixtures/broken.yaml: dimensions[1].assessments: missing the assessment for 'option-2'",
    ),
    "fewer than two options": (
        lambda d: (
            d["options"].pop(),
            [dim["assessments"].pop("option-2") for dim in d["dimensions"]],
            [dim.update(winner="tie") for dim in d["dimensions"]],
        ),
        "fixtures/broken.yaml: options: a comparison needs at least two options, found 1",
    ),
    "empty required text": (
        lambda d: d["options"][0].update(tagline="   "),
        "fixtures/broken.yaml: options[0].tagline: must not be empty",
    ),
    "missing required key": (
        lambda d: d.pop("default_advice"),
        "fixtures/broken.yaml: default_advice: required, but missing",
    ),
    "slug with capitals and spaces": (
        lambda d: d.update(slug="Kubernetes vs Serverless"),
        "fixtures/broken.yaml: slug: 'Kubernetes vs Serverless' must be lower-case letters, "
        "digits and single hyphens",
    ),
    "source that is not a URL": (
        lambda d: d["options"][0].update(sources=["the AWS website"]),
        "fixtures/broken.yaml: options[0].sources[0]: 'the AWS website' must be an http(s) URL",
    ),
    "empty pro in a list": (
        lambda d: d["options"][1]["pros"].append(""),
        "fixtures/broken.yaml: options[1].pros[2]: must not be empty",
    ),
    "option named like a tie": (
        lambda d: (
            d["options"][1].update(slug="tie"),
            [
                dim["assessments"].update(tie=dim["assessments"].pop("option-2"))
                for dim in d["dimensions"]
            ],
            [dim.update(winner="option-1") for dim in d["dimensions"]],
        ),
        "fixtures/broken.yaml: options: 'tie' is reserved for a tied dimension",
    ),
    "duplicate FAQ question": (
        lambda d: d["faq"][1].update(question="Question 1?"),
        "fixtures/broken.yaml: faq[1].question: duplicate FAQ question 'Question 1?'",
    ),
    "wrong type for a list": (
        lambda d: d["options"][0].update(pros="fast"),
        "fixtures/broken.yaml: options[0].pros: Input should be a valid list",
    ),
}


@pytest.mark.parametrize("change, expected", INVALID.values(), ids=INVALID.keys())
def test_invalid_fixture_is_rejected_with_a_precise_message(change, expected):
    errors = _errors(modified(comparison_data(questions=0), change))
    assert any(error.startswith(expected) for error in errors), errors


def test_broken_yaml_names_the_line():
    [error] = _errors("slug: demo\noptions: [\n  - a\n")
    assert error.startswith("fixtures/broken.yaml: line ")
    assert "not valid YAML" in error


def test_a_list_at_the_top_is_rejected():
    [error] = _errors("- slug: demo\n")
    assert error == (
        "fixtures/broken.yaml: (top level): expected a mapping with slug, title, options, … "
        "at the top"
    )


def test_every_problem_is_reported_at_once():
    def break_twice(data):
        data["dimensions"][0]["winner"] = "nobody"
        data["faq"][0]["answer"] = ""

    errors = _errors(modified(comparison_data(), break_twice))
    assert len(errors) == 1  # structure first: the empty answer is a schema error
    assert errors[0].startswith("fixtures/broken.yaml: faq[0].answer: must not be empty")

    errors = _errors(
        modified(comparison_data(), lambda d: [dim.update(winner="x") for dim in d["dimensions"]])
    )
    assert [e.split(":")[1].strip() for e in errors] == [
        "dimensions[0].winner",
        "dimensions[1].winner",
        "dimensions[2].winner",
    ]


def test_valid_fixture_parses():
    comparison = parse_text(to_yaml(comparison_data(options=3)), file="ok.yaml")
    assert [option.slug for option in comparison.options] == ["option-1", "option-2", "option-3"]


def test_flagship_fixture_is_valid_and_complete():
    comparison = parse_text(FLAGSHIP.read_text(), file=str(FLAGSHIP))
    assert {option.slug for option in comparison.options} == {"kubernetes", "serverless"}
    assert len(comparison.dimensions) == 10
    assert len(comparison.faq) >= 8
    for option in comparison.options:
        assert len(option.pros) >= 5 and len(option.cons) >= 5
        assert len(option.criteria) == 5
        assert option.sources, f"{option.slug} quotes costs and times without a source"


def test_dump_then_parse_gives_the_same_comparison():
    comparison = parse_text(FLAGSHIP.read_text(), file=str(FLAGSHIP))
    assert parse_text(dump_text(comparison), file="again.yaml") == comparison


INVALID_QUESTIONS = {
    "weight for an unknown option": (
        lambda d: d["questions"][0]["choices"][0]["weights"].update(fargate=2),
        "fixtures/broken.yaml: questions[0].choices[0].weights.fargate: 'fargate' is not an "
        "option of this comparison",
    ),
    "rule-out of an unknown option": (
        lambda d: d["questions"][0]["choices"][2]["rules_out"][0].update(option="fargate"),
        "fixtures/broken.yaml: questions[0].choices[2].rules_out[0].option: 'fargate' is not an "
        "option",
    ),
    "show_if on a later question": (
        lambda d: d["questions"][1].update(
            show_if={"question": "question-3", "choice": "favour-option-1"}
        ),
        "fixtures/broken.yaml: questions[1].show_if.question: 'question-3' is not an earlier "
        "question",
    ),
    "show_if on an unknown question": (
        lambda d: d["questions"][1].update(show_if={"question": "nope", "choice": "x"}),
        "fixtures/broken.yaml: questions[1].show_if.question: 'nope' is not a question",
    ),
    "show_if on an unknown choice": (
        lambda d: d["questions"][1].update(show_if={"question": "question-1", "choice": "x"}),
        "fixtures/broken.yaml: questions[1].show_if.choice: 'x' is not a choice of question "
        "'question-1'",
    ),
    "unknown dimension": (
        lambda d: d["questions"][2]["choices"][0].update(dimensions=["latency"]),
        "fixtures/broken.yaml: questions[2].choices[0].dimensions[0]: 'latency' is not a dimension",
    ),
    "unknown criterion": (
        lambda d: d["questions"][2]["choices"][1].update(criteria=["when-cheap"]),
        "fixtures/broken.yaml: questions[2].choices[1].criteria[0]: 'when-cheap' is not a "
        "criterion",
    ),
    "fewer than two real choices": (
        lambda d: d["questions"][2].update(choices=d["questions"][2]["choices"][:1]),
        "fixtures/broken.yaml: questions[2].choices: a question needs at least two real "
        "choices besides 'not-sure', found 1",
    ),
    "a choice named not-sure": (
        lambda d: d["questions"][2]["choices"][1].update(slug="not-sure"),
        "fixtures/broken.yaml: questions[2].choices[1].slug: 'not-sure' is added to every "
        "question by the wizard",
    ),
    "weight out of range": (
        lambda d: d["questions"][0]["choices"][0]["weights"].update({"option-1": 99}),
        "fixtures/broken.yaml: questions[0].choices[0].weights.option-1: Input should be less "
        "than or equal to 10",
    ),
    "an answer's why longer than its database column": (
        lambda d: d["questions"][0]["choices"][0].update(why="x" * 301),
        "fixtures/broken.yaml: questions[0].choices[0].why: String should have at most 300 "
        "characters",
    ),
    "question slug reserved by the wizard": (
        lambda d: d["questions"][2].update(slug="step"),
        "fixtures/broken.yaml: questions[2].slug: 'step' is reserved by the wizard",
    ),
    "scenario with an unknown choice": (
        lambda d: d["scenarios"].append(
            {"slug": "s", "name": "S", "answers": {"question-1": "x"}, "outcome": "option-1"}
        ),
        "fixtures/broken.yaml: scenarios[0].answers.question-1: 'x' is not a choice of "
        "question 'question-1'",
    ),
    "scenario with an unknown outcome": (
        lambda d: d["scenarios"].append(
            {"slug": "s", "name": "S", "answers": {}, "outcome": "lambda"}
        ),
        "fixtures/broken.yaml: scenarios[0].outcome: 'lambda' is not an option or an outcome "
        "such as 'combine' (expected one of: "
        + ", ".join(sorted(["option-1", "option-2", COMBINE, NO_FIT, NOT_ENOUGH]))
        + ")",
    ),
    "option named like the combined outcome": (
        lambda d: d["options"][0].update(slug="combine"),
        "fixtures/broken.yaml: options: 'combine' is reserved for the combined outcome",
    ),
    "default option that is not an option": (
        lambda d: d.update(default_option="lambda"),
        "fixtures/broken.yaml: default_option: 'lambda' is not an option of this comparison",
    ),
}


@pytest.mark.parametrize(
    "change, expected", INVALID_QUESTIONS.values(), ids=INVALID_QUESTIONS.keys()
)
def test_invalid_questions_are_rejected_with_a_precise_message(change, expected):
    errors = _errors(modified(comparison_data(), change))
    assert any(error.startswith(expected) for error in errors), errors
