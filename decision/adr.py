"""The Architecture Decision Record a result downloads: its options and its file name.

A visitor may give the record a title, a number and its deciders; everything else comes from
the result's own snapshot. The file is named like the records it joins: `0001-kebab-title.md`.
"""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

TITLE_LENGTH = 120
DECIDERS_LENGTH = 200
MAX_NUMBER = 9999


class AdrForm(forms.Form):
    """What a visitor may set on their decision record (all optional)."""

    title = forms.CharField(
        required=False,
        max_length=TITLE_LENGTH,
        error_messages={"max_length": f"Keep the title under {TITLE_LENGTH} characters."},
    )
    number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_NUMBER,
        error_messages={
            "invalid": "The record number must be a whole number, like 7.",
            "min_value": "The record number starts at 1.",
            "max_value": f"The record number goes up to {MAX_NUMBER}.",
        },
    )
    deciders = forms.CharField(
        required=False,
        max_length=DECIDERS_LENGTH,
        error_messages={"max_length": f"Keep the deciders under {DECIDERS_LENGTH} characters."},
    )

    def record(self, default_title: str) -> tuple[str, int, str]:
        """(title, number, deciders) with the defaults filled in; call after is_valid()."""
        data = self.cleaned_data
        title = " ".join((data.get("title") or "").split()) or default_title
        return title, data.get("number") or 1, " ".join((data.get("deciders") or "").split())


def file_name(number: int, title: str) -> str:
    """`0007-where-to-run-our-web-api.md`: the number, then the title in kebab case."""
    kebab = slugify(title)
    if len(kebab) > 60:
        kebab = kebab[:61].rsplit("-", 1)[0]  # whole words only
    kebab = kebab.strip("-") or "decision"
    return f"{number:04d}-{kebab}.md"
