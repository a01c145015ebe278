"""Lighthouse audit of the flagship pages, served as production serves them.

Usage: python scripts/audit.py [--scenario SLUG] [--reports DIR] [--output FILE]   (`make audit`)

Builds a throwaway SQLite database, loads fixtures/*.yaml, collects static files and starts the
production command with DEBUG off (bench/server.py, shared with the benchmark; requests carry
X-Forwarded-Proto: https, as behind the TLS proxy of a deployment), walks the wizard to a saved
result (bench/wizard_client.py), then runs Lighthouse (mobile emulation, its default) on the
comparison page, a mid-wizard step and the result page. Writes the scores and every failing
audit to docs/quality.md. Exits 1 when accessibility, best practices or SEO is below 100 on any
page; performance is recorded, not asserted.

Needs node_modules/.bin/lighthouse (`npm ci`) and Chromium (CHROME_PATH, default
/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))  # run as a file: the checkout's bench package

from bench.server import (  # noqa: E402
    free_port,
    prepare_site,
    server_command,
    server_env,
    start_server,
    stop_server,
    wait_until_up,
)
from bench.wizard_client import FIXTURE, PROXY_HEADERS, create_result, pick_scenario  # noqa: E402

OUTPUT = BASE_DIR / "docs" / "quality.md"
LIGHTHOUSE = BASE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORY_NAMES = {
    "performance": "Performance",
    "accessibility": "Accessibility",
    "best-practices": "Best practices",
    "seo": "SEO",
}
ASSERTED = ("accessibility", "best-practices", "seo")
SCORED_MODES = {"binary", "numeric", "metricSavings"}
MAX_ITEMS = 15  # offending elements listed per audit; the rest are counted
WHO = "audit"


@dataclass
class Page:
    name: str
    url: str
    shown_path: str  # what docs/quality.md prints (the result token changes every run)
    report: dict = field(default_factory=dict)
    skip: tuple[str, ...] = ()  # audits that do not apply to this page, by design


def log(message: str) -> None:
    print(f"{WHO}: {message}", flush=True)


# --- Lighthouse --------------------------------------------------------------------------


def run_interruptibly(command: list[str], env: dict[str, str], timeout: float):
    """Run Lighthouse; if it times out or we are stopped, let it close its Chrome first.

    Lighthouse starts Chrome detached (its own process group), so killing Lighthouse would
    orphan the browser; on SIGINT Lighthouse kills Chrome itself and exits.
    """
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a Ctrl-C in the terminal reaches it only through us
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:  # TimeoutExpired, KeyboardInterrupt, SystemExit from SIGTERM
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_lighthouse(page: Page, out: Path, chrome: str, attempts: int = 3) -> None:
    """Audit one page; a run that Lighthouse itself botches (such as NO_NAVSTART) is retried."""
    for attempt in range(1, attempts + 1):
        log(f"lighthouse {page.url}" + (f" (attempt {attempt})" if attempt > 1 else ""))
        started = time.monotonic()
        out.unlink(missing_ok=True)
        try:
            completed = run_interruptibly(
                [
                    str(LIGHTHOUSE),
                    page.url,
                    f"--chrome-flags={CHROME_FLAGS}",
                    "--only-categories=" + ",".join(CATEGORIES),
                    *([f"--skip-audits={','.join(page.skip)}"] if page.skip else []),
                    "--output=json",
                    f"--output-path={out}",
                    f"--extra-headers={json.dumps(PROXY_HEADERS)}",
                    "--quiet",
                ],
                env={**os.environ, "CHROME_PATH": chrome},
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            problem = "timed out after 300 s"
        else:
            report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
            error = report.get("runtimeError") or {}
            if completed.returncode == 0 and report and not error:
                page.report = report
                log(f"  done in {time.monotonic() - started:.0f} s")
                return
            problem = (
                f"{error.get('code')}: {error.get('message')}"
                if error
                else f"exit {completed.returncode}\n{completed.stdout}{completed.stderr}".strip()
            )
        log(f"  lighthouse failed: {problem}")
    raise SystemExit(f"audit: lighthouse failed on {page.url} {attempts} times; giving up")


def score(report: dict, category: str) -> int | None:
    value = report["categories"].get(category, {}).get("score")
    return None if value is None else round(value * 100)


def chromium_version(chrome: str) -> str:
    try:
        completed = subprocess.run(
            [chrome, "--version"], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return "unknown"
    return completed.stdout.strip() or "unknown"


# --- docs/quality.md ---------------------------------------------------------------------


def code(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def describe_item(item: dict) -> list[str]:
    """The useful parts of one `details.items` entry: node selectors, snippets, URLs, text."""
    parts = []
    for key, value in item.items():
        if isinstance(value, dict) and value.get("type") == "node":
            label = "" if key == "node" else f"{key}: "
            if value.get("selector"):
                parts.append(f"{label}selector {code(value['selector'])}")
            if value.get("snippet"):
                parts.append(f"snippet {code(value['snippet'])}")
            if value.get("explanation"):
                parts.append(code(value["explanation"], 400))
        elif isinstance(value, dict) and value.get("type") == "source-location":
            parts.append(f"{key} {code(f'{value.get("url")}:{value.get("line")}')}")
        elif isinstance(value, dict) and "value" in value:  # url, text, code, numeric
            parts.append(f"{key} {code(value['value'])}")
        elif isinstance(value, str) and value and key not in {"type", "lhId", "path"}:
            parts.append(f"{key} {code(value)}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{key} {round(value, 1):g}")
    if not parts:
        parts.append(code(json.dumps(item, ensure_ascii=False), 300))
    return parts


def network_chains(chains: dict, trail: tuple[str, ...] = ()) -> list[str]:
    """Each request chain of a `network-tree`, root to leaf, with when its last request ended."""
    lines = []
    for chain in chains.values():
        step = f"{chain['url']} ({chain.get('navStartToEndTime', 0):g} ms)"
        if chain.get("children"):
            lines += network_chains(chain["children"], (*trail, step))
        else:
            lines.append("chain " + code(" → ".join((*trail, step)), 600))
    return lines


def item_lines(details: dict) -> list[str]:
    """One line per entry of an audit's `details`: tables, lists, checklists, chains."""
    items = details.get("items") or []
    if details.get("type") == "checklist":
        return [f"✗ {entry['label']}" for entry in items.values() if not entry.get("value")]
    lines = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind in {"table", "opportunity", "list"}:
            lines += item_lines(item)
        elif kind == "list-section":
            value = item.get("value") or {}
            if value.get("type") == "network-tree":
                lines += network_chains(value.get("chains") or {})
            elif value.get("type") == "text":
                lines.append(f"{item.get('title', '')}: {value.get('value', '')}")
            else:
                lines += item_lines(value)
        else:
            lines.append("; ".join(describe_item(item)))
            for sub in (item.get("subItems") or {}).get("items") or []:
                lines.append("related: " + "; ".join(describe_item(sub)))
    return lines


def failing_audits(report: dict, category: str) -> list[dict]:
    refs = report["categories"][category]["auditRefs"]
    weights = {ref["id"]: ref.get("weight", 0) for ref in refs}
    failing = []
    for ref in refs:
        audit = report["audits"][ref["id"]]
        mode = audit.get("scoreDisplayMode")
        errored = mode == "error"
        # Performance: every metric and insight short of full marks; elsewhere what counts.
        counts = category == "performance" or weights[ref["id"]] > 0
        below = mode in SCORED_MODES and (audit.get("score") or 0) < 1 and counts
        if errored or below:
            failing.append({**audit, "weight": weights[ref["id"]]})
    failing.sort(key=lambda a: (-a["weight"], a.get("score") or 0))
    return failing


def audit_lines(audit: dict) -> list[str]:
    score_text = "error" if audit.get("score") is None else f"{round(audit['score'] * 100)}"
    head = f"- **`{audit['id']}`** — {audit['title']} (score {score_text}"
    head += f", weight {audit['weight']:.3g})" if audit["weight"] else ")"
    if audit.get("displayValue"):
        head += f": {audit['displayValue']}"
    lines = [head]
    for extra in ("explanation", "errorMessage"):
        if audit.get(extra):
            lines.append(f"  - {extra}: {code(audit[extra], 500)}")
    items = item_lines(audit.get("details") or {})
    for item in items[:MAX_ITEMS]:
        lines.append("  - " + item)
    if len(items) > MAX_ITEMS:
        lines.append(f"  - … and {len(items) - MAX_ITEMS} more")
    return lines


def render(pages: list[Page], scenario: dict, chrome: str, elapsed: float) -> str:
    first = pages[0].report
    config = first.get("configSettings", {})
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Quality: Lighthouse scores",
        "",
        "Generated by `make audit` (`scripts/audit.py`); do not edit by hand. The site runs as",
        "in production (gunicorn with uvicorn workers, `DEBUG=false`, whitenoise) on a fresh",
        "SQLite database loaded from `fixtures/*.yaml`. Accessibility, best practices and SEO",
        "must be 100 on every page; performance is recorded, not asserted.",
        "",
        f"- Date: {now}",
        f"- Lighthouse: {first.get('lighthouseVersion', 'unknown')}"
        f" (form factor `{config.get('formFactor', '?')}`,"
        f" throttling `{config.get('throttlingMethod', '?')}`)",
        f"- Chromium: {chromium_version(chrome)}",
        f"- Result page: the answers of scenario `{scenario['slug']}` ({scenario['name']})",
        f"- Run time: {elapsed:.0f} s",
        "",
        "| Page | Path | " + " | ".join(CATEGORY_NAMES[c] for c in CATEGORIES) + " |",
        "| --- | --- |" + " ---: |" * len(CATEGORIES),
    ]
    for page in pages:
        cells = []
        for category in CATEGORIES:
            value = score(page.report, category)
            text = "error" if value is None else str(value)
            cells.append(f"**{text}**" if category in ASSERTED and value != 100 else text)
        lines.append(f"| {page.name} | `{page.shown_path}` | " + " | ".join(cells) + " |")
    skipped = [f"{page.name}: `{', '.join(page.skip)}`" for page in pages if page.skip]
    if skipped:
        lines += [
            "",
            "Skipped by design (noindex pages are not meant to be crawled): "
            + "; ".join(skipped)
            + ".",
        ]
    lines += ["", "## Failing audits", ""]
    any_failing = False
    for page in pages:
        for category in CATEGORIES:
            value = score(page.report, category)
            if value == 100:
                continue
            any_failing = True
            lines.append(f"### {page.name} — {CATEGORY_NAMES[category]} {value}")
            lines.append("")
            audits = failing_audits(page.report, category)
            for audit in audits:
                lines.extend(audit_lines(audit))
            if not audits:
                lines.append("- (no single failing audit reported)")
            lines.append("")
    if not any_failing:
        lines += ["None: every page scores 100 in every category.", ""]
    return "\n".join(lines).rstrip() + "\n"


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", help="fixture scenario whose answers make the result page")
    parser.add_argument("--reports", type=Path, help="also keep the Lighthouse JSON reports here")
    parser.add_argument(
        "--output",
        type=Path,
        default=OUTPUT,
        help=f"where to write the scores (default {OUTPUT.relative_to(BASE_DIR)}; CI writes "
        "elsewhere, so that it never rewrites a tracked file)",
    )
    args = parser.parse_args()
    # A terminated run still stops its server (the `finally` below), as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"audit: {LIGHTHOUSE} is missing; run `npm ci` first")
    if not Path(chrome).exists():
        raise SystemExit(f"audit: no Chromium at {chrome}; apt-get install -y chromium")

    started = time.monotonic()
    scenario = pick_scenario(args.scenario, who=WHO)
    comparison = FIXTURE.stem
    tmp = Path(tempfile.mkdtemp(prefix="decision-audit-"))
    server = None
    try:
        env = server_env(tmp)
        prepare_site(env, who=WHO)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(server_command(port), env, tmp / "server.log")
        wait_until_up(server, base, tmp / "server.log", who=WHO)

        result_url = create_result(base, comparison, scenario["answers"], who=WHO)
        log(f"result page {result_url}")
        step = f"/{comparison}/wizard/?location=one-cloud&step=regulation"
        pages = [
            Page("Comparison", f"{base}/{comparison}/", f"/{comparison}/"),
            Page("Wizard step", base + step, step),
            Page("Costs", f"{base}/{comparison}/costs/", f"/{comparison}/costs/"),
            # A visitor's own result is noindex on purpose: "is it crawlable?" does not apply.
            Page("Result", result_url, f"/{comparison}/results/<token>/", skip=("is-crawlable",)),
        ]
        for number, page in enumerate(pages, 1):
            run_lighthouse(page, tmp / f"lighthouse-{number}.json", chrome)
            if args.reports:
                args.reports.mkdir(parents=True, exist_ok=True)
                name = page.name.lower().replace(" ", "-")
                shutil.copy(tmp / f"lighthouse-{number}.json", args.reports / f"{name}.json")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)

    output = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Without the random port and token, so that reruns only differ where the pages do.
    text = render(pages, scenario, chrome, time.monotonic() - started)
    text = text.replace(result_url, pages[-1].shown_path).replace(base, "")
    output.write_text(text, encoding="utf-8")
    log(f"wrote {output}")

    failures = []
    for page in pages:
        scores = {c: score(page.report, c) for c in CATEGORIES}
        log(f"{page.name:12} " + "  ".join(f"{CATEGORY_NAMES[c]} {scores[c]}" for c in CATEGORIES))
        failures += [
            f"{page.name} ({page.shown_path}): {CATEGORY_NAMES[c]} {scores[c]}"
            for c in ASSERTED
            if scores[c] != 100
        ]
    if failures:
        print("audit: FAILED, below 100:", *failures, sep="\n  ", file=sys.stderr)
        print(f"audit: the failing audits are listed in {output}")
        return 1
    log("accessibility, best practices and SEO are 100 on every page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
