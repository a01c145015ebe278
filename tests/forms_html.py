"""Read a page's wizard form the way a browser would submit it (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class HtmlForm:
    method: str
    action: str
    hidden: list[tuple[str, str]] = field(default_factory=list)
    radios: list[tuple[str, str, bool]] = field(default_factory=list)  # name, value, checked

    def data(self, choice: str | None) -> list[tuple[str, str]]:
        pairs = list(self.hidden)
        if choice is not None:
            pairs.append((self.radios[0][0], choice))
        return pairs

    @property
    def choices(self) -> list[str]:
        return [value for _, value, _ in self.radios]

    @property
    def checked(self) -> str | None:
        return next((value for _, value, checked in self.radios if checked), None)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[HtmlForm] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(HtmlForm(attrs.get("method", "get"), attrs.get("action", "")))
        elif tag == "input" and self.forms:
            kind = attrs.get("type")
            if kind == "hidden":
                self.forms[-1].hidden.append((attrs["name"], attrs.get("value", "")))
            elif kind == "radio":
                self.forms[-1].radios.append((attrs["name"], attrs["value"], "checked" in attrs))


def step_form(html: str) -> HtmlForm:
    """The wizard form on a page (the only form inside #wizard)."""
    parser = _FormParser()
    parser.feed(html.split('id="wizard"', 1)[1])
    return parser.forms[0]
