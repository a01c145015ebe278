"""Reading and writing fixture files: YAML text <-> validated `ComparisonSchema`.

Every problem is reported as "FILE: PATH: MESSAGE", where PATH points inside the file
(for example `dimensions[3].winner`), so an author can go straight to the line to fix.

YAML can say much more than the fixture format needs, and `yaml.safe_load` quietly accepts
most of it: a duplicated key silently replaces the first one, tags build bytes, sets or
dates, aliases can expand a small file into gigabytes, and deep nesting ends in a
RecursionError. `_FixtureLoader` refuses all of that with a message naming the line, so only
text, numbers, true/false, null, lists and mappings with text keys ever reach the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .schema import ComparisonSchema, validate

# The load_content command passes the CONTENT_MAX_FILE_BYTES setting instead.
MAX_FILE_BYTES = 2 * 1024 * 1024
# The schema needs seven levels: comparison > questions > question > choices > choice >
# rules_out > rule. The limit leaves room to grow, far below a RecursionError.
MAX_DEPTH = 12


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


def parse_text(text: str, *, file: str, max_bytes: int = MAX_FILE_BYTES) -> ComparisonSchema:
    """Parse and validate one fixture's text; raise ContentError listing every problem.

    Text over `max_bytes` (UTF-8) is refused before YAML sees it.
    """
    if _utf8_size(text, limit=max_bytes) > max_bytes:
        raise ContentError([_too_large(file, max_bytes)])
    try:
        data = yaml.load(text, Loader=_FixtureLoader)  # a restricted SafeLoader
    except _Refused as error:
        raise ContentError([Problem(file, _where(error.problem_mark), error.problem)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or " ".join(str(error).split())
        raise ContentError([Problem(file, _where(mark), f"not valid YAML: {reason}")]) from None
    if not isinstance(data, dict):
        raise ContentError(
            [Problem(file, "", "expected a mapping with slug, title, options, … at the top")]
        )
    comparison, problems = validate(data)
    if comparison is None:
        raise ContentError([Problem(file, path, message) for path, message in problems])
    return comparison


def parse_file(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> ComparisonSchema:
    """Read and validate a fixture file; a file over `max_bytes` is refused unread."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ContentError([_too_large(str(path), max_bytes, size=size)])
        # Read one character past the limit at most, so that a file growing after the stat
        # (or a device that reports no size) still cannot fill the memory.
        with path.open(encoding="utf-8") as stream:
            text = stream.read(max_bytes + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError([Problem(str(path), "", f"cannot read the file: {error}")]) from None
    return parse_text(text, file=str(path), max_bytes=max_bytes)


def parse_files(
    paths: list[str | Path], *, max_bytes: int = MAX_FILE_BYTES
) -> list[ComparisonSchema]:
    """Validate every file before any is used; raise one ContentError covering them all."""
    comparisons: list[ComparisonSchema] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            comparison = parse_file(path, max_bytes=max_bytes)
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


def _where(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _utf8_size(text: str, *, limit: int) -> int:
    if len(text) > limit or text.isascii():
        return len(text)  # every character takes at least one byte
    return len(text.encode("utf-8", "surrogatepass"))


def _too_large(file: str, max_bytes: int, *, size: int | None = None) -> Problem:
    actual = f"is {size:,} bytes, over" if size is not None else "is larger than"
    return Problem(
        file,
        "",
        f"the file {actual} the limit of {max_bytes:,} bytes (setting CONTENT_MAX_FILE_BYTES)",
    )


# Loading: only plain text, numbers, true/false, null, lists and mappings with text keys


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a fixture may not use; `problem` is the one-line message."""

    def __init__(self, problem: str, mark: yaml.Mark | None):
        super().__init__(problem=problem, problem_mark=mark)


_YAML_TAG = "tag:yaml.org,2002:"
_KEY_KINDS = {bool: "true/false", int: "a number", float: "a number"}
_IMPLICIT_TAGS = {_YAML_TAG + kind for kind in ("bool", "int", "float", "null")}


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _checked(read, kind: str):
    """A scalar constructor that refuses, rather than crashes on, a value it cannot read.

    `!!int abc` raises ValueError, `!!bool maybe` KeyError, an empty `!!int` IndexError, and a
    plain number of more than 4,300 digits ValueError (Python's limit for int()).
    """

    def construct(loader: _FixtureLoader, node: yaml.Node):
        try:
            return read(loader, node)
        except (ValueError, KeyError, IndexError):
            raise _Refused(
                f"cannot read {_short(node.value)!r} as {kind}; put text in quotes",
                node.start_mark,
            ) from None

    return construct


def _refuse_tag(loader: _FixtureLoader, node: yaml.Node):
    raise _Refused(
        f"the tag {_tag_name(node.tag)} is not allowed: a fixture holds only text, numbers, "
        "true/false, lists and mappings",
        node.start_mark,
    )


class _FixtureLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, tags, aliases and deep nesting.

    Dates, merge keys (`<<`) and `=` are not resolved implicitly: an unquoted 2026-11-01 is
    the text "2026-11-01", and `<<` is an ordinary key the schema rejects as unknown.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag in _IMPLICIT_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    yaml_constructors = {
        _YAML_TAG + "str": yaml.SafeLoader.construct_yaml_str,
        _YAML_TAG + "int": _checked(yaml.SafeLoader.construct_yaml_int, "a whole number"),
        _YAML_TAG + "float": _checked(yaml.SafeLoader.construct_yaml_float, "a number"),
        _YAML_TAG + "bool": _checked(yaml.SafeLoader.construct_yaml_bool, "true or false"),
        _YAML_TAG + "null": yaml.SafeLoader.construct_yaml_null,
        _YAML_TAG + "seq": yaml.SafeLoader.construct_yaml_seq,
        _YAML_TAG + "map": yaml.SafeLoader.construct_yaml_map,
        None: _refuse_tag,
    }
    yaml_multi_constructors = {}
    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                f"the alias *{event.anchor} is not allowed: write the value out in full",
                event.start_mark,
            )
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        # Checked while composing, before the recursion that would end in a RecursionError.
        if self._depth >= MAX_DEPTH:
            raise _Refused(
                f"nested more than {MAX_DEPTH} levels deep; the fixture format never needs that",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_scalar(self, node):
        # SafeConstructor's version reads a mapping with a `=` key as a scalar: not wanted.
        return yaml.constructor.BaseConstructor.construct_scalar(self, node)

    def construct_mapping(self, node, deep=False):
        """A dict with text keys; a key given twice is refused, not silently overwritten."""
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)  # raises "expected a mapping"
        mapping: dict[str, object] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(
                    f"a key must be plain text, not a {key_node.id}", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                kind = _KEY_KINDS.get(type(key), "null")
                raise _Refused(
                    f"the key {key_node.value!r} is read as {kind}, not text; put it in quotes",
                    key_node.start_mark,
                )
            if key in lines:
                raise _Refused(
                    f"duplicate key {key!r} (first given on line {lines[key]}); "
                    "YAML would silently keep only the last one",
                    key_node.start_mark,
                )
            lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class _FixtureDumper(yaml.SafeDumper):
    """Indent lists under their key and write multi-line or long text as folded blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        # The loader refuses aliases, so never write one, even for a list used twice.
        return True


# Characters YAML reads as line breaks when written raw: only a double-quoted scalar keeps them
# (as escapes), so that export -> load gives back the same text.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str):
    if any(mark in value for mark in _YAML_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if len(value) > 80:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_FixtureDumper.add_representer(str, _represent_str)
