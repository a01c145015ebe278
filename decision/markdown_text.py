"""Content text made inert for a Markdown file (the ADR): it can only ever be plain text.

Content is written by editors, but the ADR is committed by whoever downloads it, so a label
must not be able to add a heading, a link, an image, raw HTML, a code block, a table or a
list item to it. CommonMark gives punctuation a meaning in two places, and each is handled:

- Inline, anywhere in a line: backslash escapes, code spans (`), emphasis (* _), links and
  images ([ ]; `(`, `)` and `!` mean nothing without them, so ordinary prose keeps them),
  autolinks and raw HTML (<), entities (&). `<`, `>` and `&` become entities, so no HTML
  survives whatever reads the file; the rest get a backslash. GitHub's extensions add
  tables (|) and strike-through (~); `{` `}` are attribute syntax in some renderers.
- At the start of a line, where a value may land: headings (#), block quotes (>), list
  items (- + * and `1.` or `1)`), thematic breaks and setext underlines (- _ * =), code
  fences (``` ~~~) and indented code. Inline escaping covers most of these; a leading
  `-`, `+`, `=` or `1.` also gets a backslash, and surrounding whitespace is dropped.

Line breaks become spaces, so a value never starts a new block, and NUL becomes U+FFFD as
CommonMark requires. Nothing here imports Django.
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INLINE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\0": "\ufffd"}
    | {char: "\\" + char for char in "\\`*_[]#|~{}"}
)
_LINE_START = re.compile(r"\A(?:([0-9]+)([.)])|([-+=]))")


def escape_markdown(text: str) -> str:
    """`text` as one line of Markdown that renders as exactly that text, and nothing else.

    Line breaks become spaces and surrounding whitespace is dropped; a plain sentence (letters,
    digits, spaces, `,` `.` `'` `"` `-` `(` `)` `?` `!` `:` `;` `/` `$` `%`) comes out as is.
    """
    line = _LINE_BREAK.sub(" ", text).strip().translate(_INLINE)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", line)
