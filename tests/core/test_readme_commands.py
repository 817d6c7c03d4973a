"""The README's two commands (try the demo, run the tests) must not disturb each other
(issue 14 item 1): the test command's `pip install -e` into the demo's environment replaced
the package a running demo was serving, and every page answered 500 until it was restarted.
Each command has an environment of its own, and CI runs exactly the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def demo_command() -> str:
    """The first code block under "## Two commands": the one that runs `kam demo`."""
    section = README.split("## Two commands", 1)[1]
    command = re.search(r"```\n(.*?)\n```", section, re.S).group(1).strip()
    assert "kam demo" in command
    return command


def readme_test_command() -> str:
    """The block between the test-command markers, which .ci/run reads."""
    block = re.search(
        r"<!-- test-command -->\n```\n(.*?)\n```\n<!-- /test-command -->", README, re.S
    )
    assert block, "README.md has no test-command block"
    return block.group(1).strip()


def environments(command: str) -> set[str]:
    """The virtual environments a command creates or runs programs from."""
    created = set(re.findall(r"python3? -m venv (\S+)", command))
    used = {path.removesuffix("/bin") for path in re.findall(r"(\S+/bin)/\w+", command)}
    return created | used


def test_the_two_commands_use_environments_of_their_own():
    demo, tests = environments(demo_command()), environments(readme_test_command())

    assert len(demo) == 1 and len(tests) == 1, (demo, tests)  # one each, created and used
    assert demo.isdisjoint(tests), f"the demo and the tests share {demo & tests}"
    assert "pip install -e" in readme_test_command()  # the editable install that broke the demo


def test_ci_runs_exactly_the_readmes_test_command():
    # .ci/run reads the test command from the README with this line: run it as CI would.
    line = re.search(r"^test_command=\$\((.*)\)$", CI, re.M)
    assert line, ".ci/run does not read its test command from README.md"
    read = subprocess.run(
        [shutil.which("bash"), "-c", line.group(1)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert read == readme_test_command()
    # Run as it is, on SQLite and on PostgreSQL, and nothing else runs the tests.
    assert CI.count('bash -c "$test_command"') == 2
    assert "bin/pytest" not in CI


def test_ci_starts_from_the_test_environment_and_leaves_the_demos_alone():
    (tests,) = environments(readme_test_command())
    (demo,) = environments(demo_command())

    removed = re.findall(r"^rm -rf (\S+)$", CI, re.M)
    assert tests in removed  # a fresh environment, as a new user would have
    assert demo not in removed
    lint = re.findall(r"^(\S+)/bin/ruff ", CI, re.M)
    assert lint and set(lint) == {tests}
