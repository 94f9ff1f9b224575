"""The docs keep up with the code: every command and option is documented (as sqlite-utils does)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from freedomcities import cli
from freedomcities.rules import Cues

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CLI_DOCS = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
RULESET_DOCS = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")

RUN_COMMAND = "scripts/serve"
TEST_COMMAND = "scripts/test"


def _group() -> click.Group:
    """The top-level click group behind the ``freedomcities`` command."""
    groups = [value for value in vars(cli).values() if isinstance(value, click.Group)]
    assert len(groups) == 1, "freedomcities.cli should define one click group"
    return groups[0]


COMMANDS = sorted(_group().commands.items())


def _section(name: str) -> str:
    """The part of docs/cli.md under the ``## name`` heading."""
    match = re.search(rf"^## `?{re.escape(name)}`?\b.*?(?=^## |\Z)", CLI_DOCS, re.M | re.S)
    assert match, f"docs/cli.md needs a '## {name}' section"
    return match.group(0)


def _options(command: click.Command) -> list[click.Option]:
    """The command's options, without the --help that click adds."""
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


def test_the_group_has_help() -> None:
    assert (_group().help or "").strip()


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_has_help_and_a_docs_section(name: str, command: click.Command) -> None:
    assert (command.help or command.short_help or "").strip(), f"{name} needs help text"
    _section(name)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_option_has_help_and_is_documented(name: str, command: click.Command) -> None:
    section = _section(name)
    for option in _options(command):
        assert (option.help or "").strip(), f"{name} {option.opts[0]} needs help text"
        longest = max(option.opts, key=len)
        assert f"`{longest}" in section, f"docs/cli.md '## {name}' should document {longest}"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_argument_is_documented(name: str, command: click.Command) -> None:
    section = _section(name)
    for argument in command.params:
        if isinstance(argument, click.Argument):
            assert argument.human_readable_name.upper() in section, (name, argument.name)


def test_readme_gives_the_two_commands_as_written() -> None:
    assert RUN_COMMAND in README
    assert f"\n{TEST_COMMAND}\n" in README


def test_readme_sample_is_bundled_in_the_package() -> None:
    assert (ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.pdf").is_file()


def test_ci_runs_the_readme_test_command() -> None:
    assert "exec scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("cue_list", sorted(Cues.__dataclass_fields__))
def test_rulesets_doc_explains_every_cue_list(cue_list: str) -> None:
    assert f"`{cue_list}`" in RULESET_DOCS


def test_docs_links_resolve() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_web_settings_table_in_docs_matches_the_code() -> None:
    """docs/web.md carries the settings table exactly as config.SETTINGS makes it."""
    from freedomcities.web.config import settings_table

    docs = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    assert settings_table() in docs, "regenerate the table in docs/web.md from settings_table()"
