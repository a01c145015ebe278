"""/privacy/ serves docs/privacy.md, the one text of what is stored, linked from every page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from decision import views

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "privacy.md"


def test_the_privacy_page_is_the_documents_text(client):
    response = client.get(reverse("decision:privacy"))
    assert response.status_code == 200
    html = response.content.decode()
    headings = re.findall(r"^#+ (.+)$", DOC.read_text(encoding="utf-8"), re.M)
    assert len(headings) > 5
    for heading in headings:
        assert heading.replace("`", "").split(" (")[0] in re.sub(r"<[^>]+>", "", html)
    assert "<table>" in html


def test_every_page_links_to_it(client):
    html = client.get(reverse("decision:index")).content.decode()
    assert f'href="{reverse("decision:privacy")}"' in html


def test_raw_html_in_the_document_would_be_shown_as_text(monkeypatch, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "privacy.md").write_text("# Privacy\n\n<script>alert(1)</script>\n")
    monkeypatch.setattr(settings, "BASE_DIR", tmp_path)
    views.privacy_html.cache_clear()
    try:
        html = views.privacy_html()
    finally:
        views.privacy_html.cache_clear()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_documents_own_links_reach_its_headings(client):
    page = client.get(reverse("decision:privacy")).content.decode()
    html = page[page.index('<article class="wrap section privacy">') : page.index("</article>")]
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets, "the document links to its own sections"
    assert targets <= set(re.findall(r'<h[1-6] id="([^"]+)"', html))
