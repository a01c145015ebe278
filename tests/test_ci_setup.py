"""CI and set-up: .ci/run waits for the apt lock, installs what the suite and the audit need,
writes reports only to an ignored folder; the README says what to install."""

import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / ".ci" / "run").read_text()
README = (ROOT / "README.md").read_text()


def test_every_apt_get_waits_for_the_lock():
    calls = re.findall(r"apt-get[^\n]*", CI)
    assert calls, "the CI script installs nothing"
    for call in calls:
        assert "-o DPkg::Lock::Timeout=" in call, call


def test_ci_installs_the_browser_the_database_and_node_when_missing():
    for package in ("chromium", "postgresql", "nodejs", "npm"):
        assert f"missing+=({package})" in CI, package
    assert "make test" in CI and "make audit" in CI


def test_ci_writes_the_audit_to_an_ignored_folder_never_to_docs():
    (arguments,) = re.findall(r'make audit AUDIT_ARGS="([^"]*)"', CI)
    output = shlex.split(arguments)[shlex.split(arguments).index("--output") + 1]
    assert not output.startswith("docs/")
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", output], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, f"{output} is not ignored by git"


def test_the_readme_names_the_prerequisites_and_how_to_install_them():
    (command,) = re.findall(r"sudo apt-get install -y ([a-z ]+)\n", README)
    assert {"chromium", "postgresql", "nodejs", "npm"} <= set(command.split())
    assert "make test" in README and "make audit" in README
