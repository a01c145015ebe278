import json
import re

from django import template
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from decision import presenters
from decision.markdown_text import escape_markdown

register = template.Library()

# The same escapes as Django's json_script: the data can never close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Render data as a JSON-LD block (a data block, never executed, so CSP-safe)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def short_url(url):
    """A URL without its scheme, "www." and trailing slash, for a readable link label."""
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")


@register.filter
def month(value):
    """A "YYYY-MM" string as "November 2026"; "" for None, "" or anything else."""
    found = re.fullmatch(r"([0-9]{4})-(0[1-9]|1[0-2])", value) if isinstance(value, str) else None
    return f"{MONTHS[int(found[2])]} {found[1]}" if found else ""


@register.filter
def md(value):
    """Content text as inert, single-line Markdown, for the ADR (rendered with autoescape off).

    Not for HTML templates: the result is plain text with Markdown escapes and entities.
    """
    return "" if value is None else escape_markdown(str(value))


@register.filter
def lower_first(value):
    """Lower-case the first letter unless the first word is an acronym ("API", "GPU nodes")."""
    return presenters.lower_first(str(value))
