"""Save full-page screenshots of the given URLs at desktop and phone widths, light and dark.

Usage: python scripts/screenshots.py OUTDIR URL...
"""

import sys
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

SIZES = {"desktop": (1280, 900), "mobile": (390, 844)}


def main(outdir: str, urls: list[str]) -> None:
    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for url in urls:
            name = urlparse(url).path.strip("/").replace("/", "_") or "index"
            for size, (width, height) in SIZES.items():
                for scheme in ("light", "dark"):
                    page = browser.new_page(
                        viewport={"width": width, "height": height}, color_scheme=scheme
                    )
                    page.goto(url)
                    path = target / f"{name}-{size}-{scheme}.png"
                    page.screenshot(path=str(path), full_page=True)
                    page.close()
                    print(path)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
