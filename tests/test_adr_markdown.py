"""Content text in the ADR is inert Markdown: it reads as itself and adds no structure."""

import pytest
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from decision.content.files import parse_text
from decision.markdown_text import escape_markdown
from decision.services import create_result
from tests.factories import comparison_data, load_data, modified, to_yaml, with_parts

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


def commonmark(text: str, parser: MarkdownIt | None = None) -> list:
    """Every token, block and inline, in document order."""
    tokens = []
    for token in (parser or MarkdownIt("commonmark")).parse(text):
        tokens.append(token)
        tokens.extend(token.children or [])
    return tokens


def gfm(text: str) -> list:
    """Every token as GitHub reads the file: CommonMark with tables and strike-through."""
    return commonmark(text, MarkdownIt("commonmark").enable(["table", "strikethrough"]))


def strong_texts(tokens: list) -> list[str]:
    """The text of each bold span, in order."""
    found, inside = [], None
    for inline in (token for token in tokens if token.type == "inline"):
        for child in inline.children:
            if child.type == "strong_open":
                inside = []
            elif child.type == "strong_close":
                found.append("".join(inside))
                inside = None
            elif inside is not None:
                inside.append(child.content)
    return found


def table_rows(tokens: list) -> list[list[list[str]]]:
    """Each table's rows (the header row first), each a list of its cells' text."""
    tables, cell = [], None
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in ("th_open", "td_open"):
            cell = []
        elif token.type == "inline" and cell is not None:
            cell.append("".join(child.content for child in token.children))
        elif token.type in ("th_close", "td_close"):
            tables[-1][-1].append("".join(cell))
            cell = None
    return tables


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
    """Every content field the record prints, poisoned, reads as itself and adds no structure.

    The answers make a two-part system land on different options, so the record prints the
    answers table, the drivers (a dimension and a criterion), both options' names and
    taglines, the placement table (part names, each part's reason and its caveat's form), the
    integration advice, each option's pros and cons, and a caveat.
    """
    poisoned = {}  # field -> the text it was given

    def put(field, text):
        poisoned[field] = text
        return text

    def poison(data):
        data["title"] = put("title", "Comparison *evil* [x](https://evil.example)")
        data["integration_advice"] = put("integration advice", "> quoted\n# Second heading")
        first, second = data["options"]
        first["name"] = put("option name", "# Heading <script>alert(1)</script> | cell")
        first["tagline"] = put("tagline", "<img src=x onerror=alert(1)>")
        second["name"] = put("second option name", "`Option` **2**")
        second["tagline"] = put("second tagline", "| a | table | row |")
        # Three a side is what a record of two chosen options prints of each.
        first["pros"], first["cons"], second["pros"] = NASTY[:3], NASTY[3:6], NASTY[6:]
        # The criterion question 2's answer supports (question 3's answer contradicts the first).
        first["criteria"][1]["text"] = put("criterion", "[x](https://evil.example) (yes)")
        data["dimensions"][1]["name"] = put("dimension", "<i>Dim</i> ~~2~~")
        parts, question_1, _, question_3 = data["questions"]
        question_1["prompt"] = put("prompt", "<b>Which?</b> | really")
        question_1["choices"][0]["label"] = put("label", "[x](https://evil.example) | yes")
        question_1["choices"][0]["why"] = put("why", "1. numbered why")
        parts["choices"][0]["label"] = put("part name", "<b>Web</b> *API*")
        parts["choices"][2]["label"] = put("second part name", "_Batch_ `jobs`")
        parts["choices"][2]["why"] = put("part why", "- a list item why")
        parts["choices"][2]["weights"] = {"option-2": 5.0}  # the batch jobs go to option 2
        question_3["choices"][1]["caveats"] = [
            {
                "option": "option-2",
                "form": put("caveat form", "![pixel](https://evil.example/p.png)"),
                "text": put("caveat text", "```\nrm -rf /\n```"),
                "sources": ["https://example.com/limits"],
            }
        ]

    data = modified(with_parts(comparison_data("evil")), poison)
    load_data(data)
    content = parse_text(to_yaml(data), file="evil.yaml")
    answers = {
        "parts": "web-api,batch-jobs",
        "question-1": "favour-option-1",
        "question-2": "favour-option-1",
        "question-3": "favour-option-2",
    }
    result = create_result(content, answers)
    assert result.outcome == "combine"
    assert {p["part"]: p["option"] for p in result.recommendation["placements"]} == {
        "web-api": "option-1",
        "batch-jobs": "option-2",
    }

    response = client.get(reverse("decision:result_adr", args=["evil", result.token]))
    assert response.status_code == 200
    text = response.content.decode()
    tokens = gfm(text)

    headings = [token.tag for token in tokens if token.type == "heading_open"]
    assert headings.count("h1") == 1
    assert headings[0] == "h1"
    types = {token.type for token in tokens}
    assert not types & {"html_block", "html_inline", "image", "fence", "code_block"}
    assert not types & {"code_inline", "blockquote_open", "ordered_list_open", "hr"}
    assert not types & {"em_open", "s_open"}
    # The only bold text is the template's own: the chosen option and the caveat's form.
    assert strong_texts(tokens) == [
        f"Combine {poisoned['option name']} and {poisoned['second option name']}",
        poisoned["caveat form"],
    ]
    links = {token.attrGet("href") for token in tokens if token.type == "link_open"}
    permalink = response.wsgi_request.build_absolute_uri(result.get_absolute_url())
    sources = {url for option in content.options for url in option.sources}
    assert permalink in links
    assert links <= {permalink, "https://example.com/limits", *sources}  # none from the text
    assert all(t.level == 0 for t in tokens if t.type == "bullet_list_open")  # no nested lists
    # The answers and placement tables keep their columns, whatever `|` the content holds.
    tables = table_rows(tokens)
    assert [len(rows) for rows in tables] == [1 + len(answers), 1 + 2]
    assert all(len(row) == len(rows[0]) for rows in tables for row in rows)
    assert [row[0] for row in tables[0][1:]] == [
        "Which parts does your system have?",
        poisoned["prompt"],
        "Question 2?",
        "Question 3?",
    ]
    assert tables[0][2][1] == poisoned["label"]
    assert tables[1][1] == [
        poisoned["part name"],
        poisoned["option name"],
        poisoned["why"],
    ]
    assert tables[1][2] == [
        poisoned["second part name"],
        f"{poisoned['second option name']} ({poisoned['caveat form']})",
        poisoned["part why"],
    ]

    shown = " ".join(child.content for token in tokens for child in token.children or [])
    # Every one still reads as written (none has a capital for the template to lower).
    for field, value in poisoned.items():
        assert as_one_line(value) in shown, field
    for nasty in NASTY:
        assert as_one_line(nasty) in shown, nasty
    assert "&gt; quoted # Second heading" not in text  # `>` is an entity, `#` escaped
    assert "&gt; quoted \\# Second heading" in text
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
