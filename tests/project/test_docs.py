"""README.md stays true: the Quick start is the two commands, every setting is documented.

The settings table is generated (``python scripts/settings_table.py --write``) from
:class:`hamar_graph.config.Settings`; these tests fail when code and README drift.
"""

from __future__ import annotations

import re
import subprocess
import sys

from click.testing import CliRunner

from hamar_graph.cli import main
from hamar_graph.config import ENV_PREFIX, PROJECT_ROOT, SETTINGS, settings_table

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of README's ``## title`` section, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _shell_commands(text: str) -> list[str]:
    """The commands of every ```sh block in ``text``, comments and blank lines dropped."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command:
                commands.append(command)
    return commands


def test_quick_start_is_exactly_make_serve_and_make_test() -> None:
    assert _shell_commands(_section("Quick start")) == ["make serve", "make test"]


def test_the_quick_start_targets_exist_and_ci_runs_the_test_command() -> None:
    targets = set(re.findall(r"^([\w-]+):", MAKEFILE, re.M))
    assert {"serve", "test"} <= targets
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)


def test_every_setting_is_in_the_readme() -> None:
    section = _section("Settings")
    missing = [name for name, _default, _help in SETTINGS if f"`{name}`" not in section]
    assert missing == []
    documented = set(re.findall(rf"`({ENV_PREFIX}[A-Z_]+)`", section))
    assert documented == {name for name, _d, _h in SETTINGS}, "README names a setting that is gone"


def test_the_settings_table_is_the_generated_one() -> None:
    start, end = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->\n"
    assert README.count(start) == README.count(end) == 1
    table = README.split(start, 1)[1].split(end, 1)[0]
    assert table == settings_table(), "run: python scripts/settings_table.py --write"


def test_the_settings_script_prints_the_table() -> None:
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "settings_table.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == settings_table()


def test_the_readme_documents_build_query_and_export() -> None:
    section = _section("The command line")
    for command in ("build", "query", "export"):
        assert command in main.commands
        assert f"### {command}" in section
        assert f"hamar-graph {command}" in section


def test_the_readme_examples_use_real_flags() -> None:
    runner = CliRunner()
    section = _section("The command line")
    for command in ("build", "query", "export"):
        help_text = runner.invoke(main, [command, "--help"]).stdout
        for flag in set(re.findall(rf"hamar-graph {command}[^\n`]*", section)):
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", flag):
                assert option in help_text, f"{command}: README uses {option}, --help lacks it"
