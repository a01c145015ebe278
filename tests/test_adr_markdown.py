"""Content text in the ADR is inert Markdown: it reads as itself and adds no structure."""

import pytest
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from decision.content.files import parse_text
from decision.markdown_text import escape_markdown
from decision.services import create_result
from tests.factories import comparison_data, load_data, modified, to_yaml

# Token types escaped content must never produce.
FORBIDDEN = {
    "html_block",
    "html_inline",
    "link_open",
    "image",
    "heading_open",
    "code_block",
    "code_inline",
    "fence",
    "blockquote_open",
    "bullet_list_open",
    "ordered_list_open",
    "hr",
    "em_open",
    "strong_open",
    "hardbreak",
    "softbreak",
}


def commonmark(text: str) -> list:
    """Every token, block and inline, in document order."""
    tokens = []
    for token in MarkdownIt("commonmark").parse(text):
        tokens.append(token)
        tokens.extend(token.children or [])
    return tokens


# Arbitrary text, and text made mostly of what Markdown and HTML give a meaning to.
TEXT = st.text() | st.text(
    alphabet=st.sampled_from("\\`*_[]()#+-.!|<>{}~&;=:/ \t\n\r\0\u00a0\u3000ax19")
)


def as_one_line(text: str) -> str:
    """What the reader should see: line breaks as spaces, NUL as U+FFFD, no outer spaces."""
    for line_break in ("\r\n", "\r", "\n"):
        text = text.replace(line_break, " ")
    return text.replace("\0", "\ufffd").strip()


# The pure function


def test_ordinary_prose_comes_out_unchanged():
    for text in (
        "Kubernetes isn't free, but it's flexible.",
        'Typically an estimated $500 to $5,000+ a month (as of 2026): "managed" control plane.',
        "A 730-hour month; 50% less? Yes! See docs/pricing or e-mail ops@example.com.",
        "Use both, each where it is strongest",
    ):
        assert escape_markdown(text) == text


def test_block_syntax_at_the_start_is_escaped():
    assert escape_markdown("# Heading") == r"\# Heading"
    assert escape_markdown("  ## Indented heading") == r"\#\# Indented heading"
    assert escape_markdown("- item") == r"\- item"
    assert escape_markdown("+ item") == r"\+ item"
    assert escape_markdown("* item") == r"\* item"
    assert escape_markdown("1. item") == r"1\. item"
    assert escape_markdown("2026) item") == r"2026\) item"
    assert escape_markdown("> quote") == "&gt; quote"
    assert escape_markdown("---") == r"\---"
    assert escape_markdown("===") == r"\==="
    assert escape_markdown("___") == r"\_\_\_"
    assert escape_markdown("```python") == r"\`\`\`python"
    assert escape_markdown("~~~") == r"\~\~\~"
    assert escape_markdown("    indented code") == "indented code"
    assert escape_markdown("[ref]: https://evil.example") == r"\[ref\]: https://evil.example"


def test_inline_syntax_anywhere_is_escaped():
    assert escape_markdown("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape_markdown("see [x](https://evil.example)") == r"see \[x\](https://evil.example)"
    assert (
        escape_markdown("![i](https://evil.example/i.png)") == r"!\[i\](https://evil.example/i.png)"
    )
    assert escape_markdown("<https://evil.example>") == "&lt;https://evil.example&gt;"
    assert escape_markdown("*strong* and _em_") == r"\*strong\* and \_em\_"
    assert escape_markdown("run `rm -rf /`") == r"run \`rm -rf /\`"
    assert escape_markdown("a | b") == r"a \| b"
    assert escape_markdown("~~gone~~") == r"\~\~gone\~\~"
    assert escape_markdown("{#id}") == r"\{\#id\}"
    assert escape_markdown("AT&T &lt;") == "AT&amp;T &amp;lt;"
    assert escape_markdown("C:\\temp\\") == "C:\\\\temp\\\\"
    # Only at the start does "1." or "-" mean anything.
    assert escape_markdown("version 1. then - and +") == "version 1. then - and +"


def test_line_breaks_become_spaces():
    assert escape_markdown("one\ntwo\r\nthree\rfour") == "one two three four"
    assert escape_markdown("text\n# Heading\n\n- item") == r"text \# Heading  - item"
    assert escape_markdown("ends with two spaces  \n") == "ends with two spaces"


@given(TEXT)
def test_any_text_renders_as_one_paragraph_of_exactly_that_text(text):
    expected = as_one_line(text)
    assume(expected)
    tokens = commonmark(escape_markdown(text))
    assert not {token.type for token in tokens} & FORBIDDEN
    assert [token.type for token in tokens if token.block] == [
        "paragraph_open",
        "inline",
        "paragraph_close",
    ]
    [inline] = [token for token in tokens if token.type == "inline"]
    assert {child.type for child in inline.children} == {"text"}
    assert "".join(child.content for child in inline.children) == expected


LIST_ITEM = ["bullet_list_open", "list_item_open", "paragraph_open"]
# Lines of adr.md with a value in them: the blocks the line opens and the text it shows.
TEMPLATE_LINES = [
    ("* {}", LIST_ITEM, "{}"),
    ("* Good, because {}", LIST_ITEM, "Good, because {}"),
    ("# {} for our application", ["heading_open"], "{} for our application"),
    ("### {}", ["heading_open"], "{}"),
    (
        "Chosen option: **{}**, because",
        ["paragraph_open", "strong_open"],
        "Chosen option: {}, because",
    ),
]


@given(TEXT, st.sampled_from(TEMPLATE_LINES))
def test_any_text_adds_no_structure_where_the_template_puts_it(text, template_line):
    line, opens, shows = template_line
    expected = as_one_line(text)
    assume(expected)
    tokens = commonmark(line.format(escape_markdown(text)) + "\n")
    assert [token.type for token in tokens if token.nesting == 1] == opens
    [inline] = [token for token in tokens if token.type == "inline"]
    shown = "".join(child.content for child in inline.children if child.type == "text")
    assert shown == shows.format(expected)


# The downloaded ADR

NASTY = [
    "# Heading",
    "<script>alert(1)</script>",
    "[x](https://evil.example)",
    "![pixel](https://evil.example/p.png)",
    "- nested item",
    "1. numbered item",
    "```",
    "> quoted\n# Second heading",
]


@pytest.mark.django_db
def test_downloaded_adr_has_no_structure_from_the_content(client):
    def poison(data):
        option = data["options"][0]
        option["name"] = "# Heading <script>alert(1)</script> [x](https://evil.example)"
        option["tagline"] = "<img src=x onerror=alert(1)>"
        option["pros"] = NASTY
        option["cons"] = list(NASTY)  # a shared list would be dumped as a YAML alias
        option["criteria"][0]["text"] = "[x](https://evil.example)"
        data["intro"] = "# Heading\n\n<script>alert(1)</script>"
        data["questions"][0]["prompt"] = "<b>Which?</b>"
        data["questions"][0]["choices"][0]["label"] = "[x](https://evil.example)"

    data = modified(comparison_data("evil"), poison)
    load_data(data)
    content = parse_text(to_yaml(data), file="evil.yaml")
    answers = {question.slug: "favour-option-1" for question in content.questions}
    result = create_result(content, answers)
    assert result.outcome == "option-1"

    response = client.get(reverse("decision:result_adr", args=["evil", result.token]))
    assert response.status_code == 200
    text = response.content.decode()
    tokens = commonmark(text)

    headings = [token.tag for token in tokens if token.type == "heading_open"]
    assert headings.count("h1") == 1
    assert headings[0] == "h1"
    types = {token.type for token in tokens}
    assert not types & {"html_block", "html_inline", "image", "fence", "code_block"}
    assert not types & {"code_inline", "blockquote_open", "ordered_list_open", "hr"}
    links = [token.attrGet("href") for token in tokens if token.type == "link_open"]
    permalink = response.wsgi_request.build_absolute_uri(result.get_absolute_url())
    assert set(links) <= {permalink}
    assert all(t.level == 0 for t in tokens if t.type == "bullet_list_open")  # no nested lists

    shown = " ".join(child.content for token in tokens for child in token.children or [])
    # Every one still reads as written (the pros and cons have no capital to lower).
    for nasty in ("# Heading <script>alert(1)</script> [x](https://evil.example)", *NASTY[:7]):
        assert nasty in shown
    assert "<img src=x onerror=alert(1)>" in shown
    assert "&gt; quoted # Second heading" not in text  # `>` is an entity, `#` escaped
    assert "&gt; quoted \\# Second heading" in text
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
