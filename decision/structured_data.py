"""schema.org data for search engines, built from content."""

from __future__ import annotations

from collections.abc import Iterable


def faq_page(entries: Iterable) -> dict:
    """Return a schema.org FAQPage for the given FAQ entries (objects with question/answer)."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": entry.question,
                "acceptedAnswer": {"@type": "Answer", "text": entry.answer},
            }
            for entry in entries
        ],
    }
