"""Fixture loading refuses what YAML sneaks past the schema, naming the file and line.

Each refusal goes through `load_content` with the flagship already loaded: the command fails
with one line naming the file, and `export_content` is byte-identical before and after.
The pure tests below them call `parse_text`/`parse_file` directly (no database).
"""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from decision.content.files import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    ContentError,
    dump_text,
    parse_file,
    parse_text,
)
from decision.content.schema import ComparisonSchema
from tests.factories import FLAGSHIP, comparison_data, load_flagship

SLUG = "kubernetes-vs-serverless"
FLAGSHIP_TEXT = FLAGSHIP.read_text(encoding="utf-8")
TITLE = "title: Kubernetes vs serverless\n"
NOT_ALLOWED = "is not allowed: a fixture holds only text, numbers, true/false, lists and mappings"


def export() -> str:
    out = io.StringIO()
    call_command("export_content", SLUG, stdout=out)
    return out.getvalue()


def flagship_with(tmp_path: Path, title: str = TITLE, *, appended: str = "") -> Path:
    """The flagship fixture with its title line replaced and text appended, in a new file."""
    assert TITLE in FLAGSHIP_TEXT
    path = tmp_path / "changed.yaml"
    path.write_text(FLAGSHIP_TEXT.replace(TITLE, title) + appended, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    """Load path with the flagship in the database; return the one problem line.

    Asserts the command refused and that the database did not change.
    """
    load_flagship()
    before = export()
    with pytest.raises(CommandError) as caught:
        call_command("load_content", str(path), stdout=io.StringIO())
    assert export() == before
    heading, *problems = str(caught.value).splitlines()
    assert heading == "1 problem found; nothing was loaded."
    [problem] = problems
    assert problem.startswith(f"{path}: ")
    return problem


def problems_of(text: str, **kwargs) -> list[str]:
    with pytest.raises(ContentError) as caught:
        parse_text(text, file="fixtures/odd.yaml", **kwargs)
    return [str(problem) for problem in caught.value.problems]


# Through load_content: refused, and nothing changes


@pytest.mark.django_db
def test_duplicate_key_is_refused_not_silently_overwritten(tmp_path):
    path = flagship_with(tmp_path, appended="title: Hijacked\n")
    line = FLAGSHIP_TEXT.count("\n") + 1
    assert refused(path) == (
        f"{path}: line {line}, column 1: duplicate key 'title' (first given on line 2); "
        "YAML would silently keep only the last one"
    )


@pytest.mark.django_db
def test_binary_tag_is_refused(tmp_path):
    path = flagship_with(tmp_path, "title: !!binary SGlqYWNrZWQ=\n")
    assert refused(path) == f"{path}: line 2, column 8: the tag !!binary {NOT_ALLOWED}"


@pytest.mark.django_db
def test_python_object_tag_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    path = flagship_with(tmp_path, f"title: !!python/object/apply:os.system ['touch {marker}']\n")
    assert refused(path) == (
        f"{path}: line 2, column 8: the tag !!python/object/apply:os.system {NOT_ALLOWED}"
    )
    assert not marker.exists()


@pytest.mark.django_db
def test_custom_tag_is_refused(tmp_path):
    path = flagship_with(tmp_path, "title: !include secrets.yaml\n")
    assert refused(path) == f"{path}: line 2, column 8: the tag !include {NOT_ALLOWED}"


@pytest.mark.django_db
def test_ten_thousand_levels_of_nesting_are_refused_without_a_traceback(tmp_path):
    path = flagship_with(tmp_path, "title: " + "[" * 10_000 + "]" * 10_000 + "\n")
    # The top-level mapping is level 1, so the 12th bracket opens level 13.
    assert refused(path) == (
        f"{path}: line 2, column 19: nested more than 12 levels deep; "
        "the fixture format never needs that"
    )


@pytest.mark.django_db
def test_file_over_the_configured_size_is_refused_unread(tmp_path, settings):
    settings.CONTENT_MAX_FILE_BYTES = 10_000
    path = flagship_with(tmp_path, "title: Hijacked\n")
    size = path.stat().st_size
    assert refused(path) == (
        f"{path}: (top level): the file is {size:,} bytes, over the limit of 10,000 bytes "
        "(setting CONTENT_MAX_FILE_BYTES)"
    )


@pytest.mark.django_db
def test_alias_bomb_is_refused(tmp_path):
    laughs = ["laughs:", "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        laughs.append(f"  {name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    path = flagship_with(tmp_path, appended="\n".join(laughs) + "\n")
    line = FLAGSHIP_TEXT.count("\n") + 3
    assert refused(path) == (
        f"{path}: line {line}, column 10: the alias *a is not allowed: write the value out in full"
    )


@pytest.mark.django_db
def test_flagship_still_loads_and_changes_nothing_when_loaded_again():
    load_flagship()
    before = export()
    out = io.StringIO()
    call_command("load_content", str(FLAGSHIP), stdout=out)
    assert out.getvalue() == f"Loaded {SLUG}\n"
    assert export() == before


# parse_text / parse_file, no database


def test_every_refusal_names_the_file_and_line():
    cases = {
        "a:\n  b:\n    - c: 1\n      c: 2\n": "line 4, column 7: duplicate key 'c' (first given",
        "x: !!set {a, b}\n": "line 1, column 4: the tag !!set is not allowed",
        "x: !!omap [a: 1]\n": "line 1, column 4: the tag !!omap is not allowed",
        "x: !!timestamp 2026-11-01\n": "line 1, column 4: the tag !!timestamp is not allowed",
        "x: !!python/name:os.system\n": "line 1, column 4: the tag !!python/name:os.system is not",
        "x: !!int abc\n": "line 1, column 4: cannot read 'abc' as a whole number; put text in",
        "x: !!bool maybe\n": "line 1, column 4: cannot read 'maybe' as true or false",
        "x: " + "1" * 5000 + "\n": "line 1, column 4: cannot read '1111",
        "yes: 1\n": "line 1, column 1: the key 'yes' is read as true/false, not text; put it in",
        "2: 1\n": "line 1, column 1: the key '2' is read as a number, not text",
        "? [a]\n: b\n": "line 1, column 3: a key must be plain text, not a sequence",
        "a: &x 1\nb: *x\n": "line 2, column 4: the alias *x is not allowed",
    }
    for text, expected in cases.items():
        [problem] = problems_of(text)
        assert problem.startswith(f"fixtures/odd.yaml: {expected}"), (text, problem)


def test_an_unquoted_date_stays_text_so_the_flagship_format_keeps_working():
    text = FLAGSHIP_TEXT.replace(TITLE, "title: 2026-11-01\n")
    assert parse_text(text, file="dated.yaml").title == "2026-11-01"
    assert parse_file(FLAGSHIP) == parse_text(FLAGSHIP_TEXT, file=str(FLAGSHIP))


def test_merge_keys_are_ordinary_unknown_keys():
    [*_, problem] = problems_of(FLAGSHIP_TEXT + "<<: {title: Hijacked}\n")
    assert problem == (
        "fixtures/odd.yaml: <<: unknown key (check its spelling; see the fixture format in the "
        "README)"
    )


@given(depth=st.integers(min_value=1, max_value=3000), kinds=st.randoms())
@hypothesis_settings(max_examples=60, deadline=None)
def test_nesting_is_refused_exactly_beyond_the_limit(depth, kinds):
    openers = [kinds.choice(["[", "{k: "]) for _ in range(depth)]
    closers = ["]" if opener == "[" else "}" for opener in reversed(openers)]
    problems = problems_of("".join(openers) + "x" + "".join(closers))
    if depth > MAX_DEPTH:
        column = len("".join(openers[:MAX_DEPTH])) + 1
        assert problems == [
            f"fixtures/odd.yaml: line 1, column {column}: nested more than {MAX_DEPTH} levels "
            "deep; the fixture format never needs that"
        ]
    else:  # the schema's turn: not a mapping at the top, or unknown key k
        assert not any("nested" in problem for problem in problems)


@given(
    depth=st.integers(min_value=0, max_value=MAX_DEPTH - 1),
    key=st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True),
)
def test_duplicate_key_at_any_depth_names_key_and_lines(depth, key):
    lines = [f"{'  ' * level}level-{level}:" for level in range(depth)]
    indent = "  " * depth
    lines += [f"{indent}{key}: first", f"{indent}other: value", f"{indent}{key}: second"]
    [problem] = problems_of("\n".join(lines) + "\n")
    assert problem == (
        f"fixtures/odd.yaml: line {depth + 3}, column {2 * depth + 1}: duplicate key {key!r} "
        f"(first given on line {depth + 1}); YAML would silently keep only the last one"
    )


@given(st.text(alphabet="[]{}:-,?&*!|>'\"#%@`~ \n\tab01.<=", max_size=120))
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_text_gives_a_content_error_or_a_comparison_never_a_traceback(text):
    try:
        parse_text(text, file="fixtures/odd.yaml")
    except ContentError as error:
        assert error.problems
        assert all(str(problem).startswith("fixtures/odd.yaml: ") for problem in error.problems)


def test_text_over_the_limit_is_refused_before_parsing():
    assert MAX_FILE_BYTES == 2 * 1024 * 1024
    limit = "the limit of 2,097,152 bytes (setting CONTENT_MAX_FILE_BYTES)"
    assert problems_of("#" * (MAX_FILE_BYTES + 1)) == [
        f"fixtures/odd.yaml: (top level): the file is larger than {limit}"
    ]
    # Counted in UTF-8 bytes, not characters.
    assert problems_of("# " + "é" * (MAX_FILE_BYTES // 2)) == [
        f"fixtures/odd.yaml: (top level): the file is larger than {limit}"
    ]
    assert problems_of(FLAGSHIP_TEXT, max_bytes=1000) == [
        "fixtures/odd.yaml: (top level): the file is larger than the limit of 1,000 bytes "
        "(setting CONTENT_MAX_FILE_BYTES)"
    ]


def test_file_over_the_default_limit_is_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(FLAGSHIP_TEXT + "#" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        parse_file(path)
    size = path.stat().st_size
    assert str(caught.value) == (
        f"{path}: (top level): the file is {size:,} bytes, over the limit of 2,097,152 bytes "
        "(setting CONTENT_MAX_FILE_BYTES)"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_file_reporting_no_size_is_read_no_further_than_the_limit():
    with pytest.raises(ContentError) as caught:
        parse_file("/dev/zero", max_bytes=1000)
    assert str(caught.value) == (
        "/dev/zero: (top level): the file is larger than the limit of 1,000 bytes "
        "(setting CONTENT_MAX_FILE_BYTES)"
    )


@given(st.text(alphabet=st.sampled_from("ab \n\t#:'\"\x85\u2028\u2029é"), min_size=1))
def test_any_text_written_by_export_reads_back_the_same(text):
    data = comparison_data()
    data["intro"] = text if text.strip() else "x" + text
    content = ComparisonSchema.model_validate(data)
    again = parse_text(dump_text(content), file="x.yaml")
    assert again.intro == content.intro
