"""Validate a fixture file and run its scenarios without a database.

Usage: python scripts/check_fixture.py fixtures/kubernetes-vs-serverless.yaml [q=choice ...]
With answers, also prints the engine's recommendation for them.
"""

import json
import sys
from dataclasses import asdict

from decision.content.engine_data import engine_model, engine_scenarios
from decision.content.files import ContentError, parse_file
from decision.engine import recommend
from decision.scenarios import scenario_failures


def main(path: str, pairs: list[str]) -> int:
    try:
        comparison = parse_file(path)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    model = engine_model(comparison)
    if pairs:
        answers = dict(pair.split("=", 1) for pair in pairs)
        print(json.dumps(asdict(recommend(model, answers)), indent=2))
    failures = scenario_failures(model, engine_scenarios(comparison))
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{len(comparison.scenarios) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
