"""Reading and writing fixture files: YAML text <-> validated `ComparisonSchema`.

Every problem is reported as "FILE: PATH: MESSAGE", where PATH points inside the file
(for example `dimensions[3].winner`), so an author can go straight to the line to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import ComparisonSchema, reference_problems


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(top level)'}: {self.message}"


class ContentError(Exception):
    """One or more problems found in fixture content; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def parse_text(text: str, *, file: str) -> ComparisonSchema:
    """Parse and validate one fixture's text; raise ContentError listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        raise ContentError([Problem(file, where, f"not valid YAML: {reason}")]) from None
    if not isinstance(data, dict):
        raise ContentError(
            [Problem(file, "", "expected a mapping with slug, title, options, … at the top")]
        )
    try:
        comparison = ComparisonSchema.model_validate(data)
    except ValidationError as error:
        raise ContentError(
            [Problem(file, _path(e["loc"]), _message(e)) for e in error.errors()]
        ) from None
    problems = [Problem(file, path, message) for path, message in reference_problems(comparison)]
    if problems:
        raise ContentError(problems)
    return comparison


def parse_file(path: str | Path) -> ComparisonSchema:
    """Read and validate a fixture file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError([Problem(str(path), "", f"cannot read the file: {error}")]) from None
    return parse_text(text, file=str(path))


def parse_files(paths: list[str | Path]) -> list[ComparisonSchema]:
    """Validate every file before any is used; raise one ContentError covering them all."""
    comparisons: list[ComparisonSchema] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            comparison = parse_file(path)
        except ContentError as error:
            problems += error.problems
            continue
        if comparison.slug in seen:
            problems.append(
                Problem(
                    str(path),
                    "slug",
                    f"comparison '{comparison.slug}' is also defined in {seen[comparison.slug]}",
                )
            )
        seen[comparison.slug] = str(path)
        comparisons.append(comparison)
    if problems:
        raise ContentError(problems)
    return comparisons


def dump_text(comparison: ComparisonSchema) -> str:
    """Serialise a comparison to fixture YAML: stable key order, block style for long text."""
    data = comparison.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(
        data,
        Dumper=_FixtureDumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _message(error: dict) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check its spelling; see the fixture format in the README)"
    if kind == "missing":
        return "required, but missing"
    if kind == "string_too_short":
        return "must not be empty"
    message = error["msg"]
    return message.removeprefix("Value error, ")


class _FixtureDumper(yaml.SafeDumper):
    """Indent lists under their key and write multi-line or long text as folded blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > 80:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_FixtureDumper.add_representer(str, _represent_str)
