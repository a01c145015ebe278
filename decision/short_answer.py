"""The comparison page's short answer: the default advice cut to its first sentences, and the
score of the detailed comparison (which option wins how many dimensions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .tables import Row

# A full stop after one of these does not end a sentence, even before a capital ("e.g. AWS").
ABBREVIATIONS = frozenset(
    {"e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "incl.", "est.", "no.", "dr.", "mr.", "ms."}
)

_CLOSING = "\"'\u201d\u2019)]"  # straight and curly quotes, brackets
_OPENING = "\"'\u201c\u2018(["
# A sentence ends at . ! or ? (closing quotes or brackets may follow), then a space and a capital,
# digit or opening quote/bracket; "$0.10" and "v1.2" never match, having no space after the dot.
_END = re.compile(rf"[.!?][{re.escape(_CLOSING)}]*(?=\s+[{re.escape(_OPENING)}]?[A-Z0-9])")


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the full stop at text[end] closes an abbreviation or an initial ("U.S.", "J.")."""
    word = text[: end + 1].rsplit(None, 1)[-1].lstrip(_OPENING).lower()
    return word in ABBREVIATIONS or re.fullmatch(r"([a-z]\.)+", word) is not None


def first_sentences(text: str, count: int = 2) -> str:
    """The first `count` sentences of text, with its whitespace (line breaks too) collapsed.

    Text with fewer sentences comes back whole.
    """
    text = " ".join(text.split())
    found = 0
    for match in _END.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        found += 1
        if found == count:
            return text[: match.end()]
    return text


@dataclass(frozen=True)
class OptionWins:
    name: str
    count: int


@dataclass(frozen=True)
class Tally:
    """How many of `total` dimensions each option wins (most first) and how many are tied."""

    total: int
    wins: tuple[OptionWins, ...]
    ties: int

    @property
    def sentence(self) -> str:
        """E.g. "Kubernetes wins 6 of 10 dimensions, Serverless 3, 1 tie." ("" without rows)."""
        if not self.total or not self.wins:
            return ""
        first, *others = self.wins
        noun = "dimension" if self.total == 1 else "dimensions"
        parts = [f"{first.name} wins {first.count} of {self.total} {noun}"]
        parts += [f"{option.name} {option.count}" for option in others]
        if self.ties:
            parts.append(f"{self.ties} tie" + ("" if self.ties == 1 else "s"))
        return ", ".join(parts) + "."


def winner_tally(rows: Sequence[Row]) -> Tally:
    """Count the winners of the table rows; options in content order break equal counts."""
    if not rows:
        return Tally(total=0, wins=(), ties=0)
    options = [cell.option for cell in rows[0].cells]
    counts = dict.fromkeys((option.slug for option in options), 0)
    ties = 0
    for row in rows:
        winners = [cell.option.slug for cell in row.cells if cell.wins]
        if row.is_tie or not winners:
            ties += 1
        else:
            counts[winners[0]] += 1
    ranked = sorted(options, key=lambda option: -counts[option.slug])  # sorted() is stable
    return Tally(
        total=len(rows),
        wins=tuple(OptionWins(option.name, counts[option.slug]) for option in ranked),
        ties=ties,
    )
