"""Pages are compressed on the way out; static files are compressed once, in gzip and brotli."""

import gzip
import json

import brotli
import pytest
from django.core.management import call_command

from tests.factories import load_flagship


@pytest.mark.django_db
def test_pages_are_gzipped_for_clients_that_accept_it(client):
    load_flagship()
    for url in ["/", "/kubernetes-vs-serverless/", "/kubernetes-vs-serverless/wizard/"]:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in plain, url
        assert packed["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed["Vary"], url
        assert gzip.decompress(packed.content) == plain.content, url
        assert len(packed.content) < len(plain.content) / 2, url


def test_collected_static_files_come_in_gzip_and_brotli(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ["css/site.css", "js/wizard.js", "django_htmx/htmx-2.min.js"]:
        path = tmp_path / hashed[name]
        original = path.read_bytes()
        packed = {
            "gz": gzip.decompress,
            "br": brotli.decompress,
        }
        for suffix, decompress in packed.items():
            compressed = path.with_name(f"{path.name}.{suffix}").read_bytes()
            assert decompress(compressed) == original, (name, suffix)
            assert len(compressed) < len(original), (name, suffix)
