"""Over HTTP: a page's status and size, and the bytes a browser's first visit transfers."""

from __future__ import annotations

import gzip
import http.client
import urllib.parse
from html.parser import HTMLParser

import brotli

from bench.pages import Page, Resource

GZIP_LEVEL = 6  # the "for reference" gzip size of HTML, as a typical proxy would compress it


class AssetParser(HTMLParser):
    """What a browser fetches on a first visit: stylesheets, icons, scripts, images."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        rel = set((attributes.get("rel") or "").lower().split())
        url = None
        if tag == "link" and rel & {"stylesheet", "icon", "preload", "modulepreload"}:
            url = attributes.get("href")
        elif tag in {"script", "img"}:
            url = attributes.get("src")
        if url and url not in self.urls:
            self.urls.append(url)


def http_get(
    port: int, path: str, headers: dict[str, str]
) -> tuple[int, http.client.HTTPMessage, bytes, int]:
    """Status, headers, the body exactly as sent (not decoded) and the header bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        header_bytes += sum(len(f"{name}: {value}\r\n") for name, value in response.getheaders())
        return response.status, response.headers, body, header_bytes
    finally:
        connection.close()


def decoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    return body


def check_page(port: int, path: str) -> int:
    """The page answers 200 over HTTP; its body length without compression."""
    status, _, body, _ = http_get(port, path, {})
    if status != 200:
        raise SystemExit(f"bench: {path} answered {status}, not 200")
    return len(body)


def measure_first_visit(port: int, page: Page) -> None:
    browser = {"Accept-Encoding": "gzip, br", "Accept": "text/html,*/*"}
    status, headers, body, header_bytes = http_get(port, page.path, browser)
    encoding = headers.get("Content-Encoding", "identity")
    resources = [Resource(page.shown_path, status, encoding, len(body), header_bytes)]
    html = decoded(body, encoding)
    page.html_gzip = len(gzip.compress(html, compresslevel=GZIP_LEVEL))
    parser = AssetParser()
    parser.feed(html.decode("utf-8"))
    for url in parser.urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme or parts.netloc:  # nothing should come from elsewhere; count it apart
            resources.append(Resource(url, 0, "external, not fetched", 0, 0))
            continue
        target = urllib.parse.urljoin(page.path, url)
        status, headers, body, header_bytes = http_get(port, target, browser)
        resources.append(
            Resource(
                target, status, headers.get("Content-Encoding", "identity"), len(body), header_bytes
            )
        )
    page.first_visit = resources
