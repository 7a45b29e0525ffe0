"""Every command and option of the CLI explains itself (as sqlite-utils' test_docs does)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from interview_tui.cli import main


def walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = prefix + (name,)
        yield path, command
        if isinstance(command, click.Group):
            yield from walk(command, path)


COMMANDS = list(walk(main))


def test_the_cli_has_the_mission_s_commands() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    for expected in ("guide validate", "participants add", "consent record", "demographics import",
                     "demographics summary", "record", "devices", "recover", "clips", "import-audio",
                     "transcribe", "models list", "export qdpx", "report methods", "withdraw",
                     "audit verify", "consent verify", "review diff", "key", "keygen", "decrypt", "anonymise"):
        assert expected in names


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_and_its_options_have_help(path, command) -> None:
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{' '.join(path)} {param.opts[0]} has no help text"
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
