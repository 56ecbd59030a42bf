"""Help text is printed as written: brackets and anything else that looks like rich markup
survive, in `plugins show` and in `--help`."""

import re

import click
import pytest
import typer

from solverq.cli.main import app
from solverq.plugins.parameters import parameter_schema
from solverq.plugins.registry import discover
from tests.cli.outcomes import error_line

WIDE = 200


def words(text: str) -> str:
    """The text with its whitespace collapsed, as a table or a panel wraps it."""
    return " ".join(text.split())


def column_cells(output: str, heading: str) -> dict[str, str]:
    """A column of `plugins show`, by parameter: each cell's lines, joined."""
    lines = output.splitlines()
    header = next(index for index, line in enumerate(lines) if line.split()[:1] == ["parameter"])
    headings = lines[header].split()
    start = lines[header].index(f" {heading}") + 1
    following = headings.index(heading) + 1
    end = lines[header].index(f" {headings[following]}") + 1 if following < len(headings) else None
    cells: dict[str, list[str]] = {}
    for line in lines[header + 1 :]:
        if not line.startswith(" "):
            cells[line.split()[0]] = []
        cells[list(cells)[-1]].append(line[start:end])
    return {name: words(" ".join(parts)) for name, parts in cells.items()}


def help_cells(output: str) -> dict[str, str]:
    return column_cells(output, "help")


def test_plugins_show_prints_every_help_text_as_written(
    solverq, test_plugins, terminal_width
) -> None:
    terminal_width(WIDE)
    plugins = discover()
    assert {"convolution", "euler", "nn-ode", "sgd", "echo"} <= set(plugins)
    for name, plugin in plugins.items():
        outcome = solverq("plugins", "show", name)
        assert outcome.exit_code == 0, outcome.output
        assert outcome.stdout.splitlines()[0] == f"{name} {plugin.version}: {plugin.summary}"
        properties = parameter_schema(plugin.plugin_class.Parameters)["properties"]
        shown = help_cells(outcome.stdout)
        assert list(shown) == list(properties)
        for key, spec in properties.items():
            assert shown[key] == words(spec.get("description", "")), (name, key)


def test_bracketed_help_survives(solverq, terminal_width) -> None:
    terminal_width(WIDE)
    euler = help_cells(solverq("plugins", "show", "euler").stdout)
    assert euler["n"].startswith("The number of steps over [x0, x1] (default 1000")
    nn_ode = solverq("plugins", "show", "nn-ode").stdout
    assert "[x0, x1]" in help_cells(nn_ode)["eval_points"]
    assert column_cells(nn_ode, "type")["constants"] == "dict[str, number | list[number]]"


def commands(group: click.Group, path: tuple[str, ...] = ()):
    """Every command of the application with its path, the groups included."""
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


@pytest.mark.parametrize(
    ("path", "command"),
    [
        pytest.param(path, command, id=" ".join(path) or "solverq")
        for path, command in commands(typer.main.get_command(app))
    ],
)
def test_help_prints_every_text_as_written(solverq, terminal_width, path, command) -> None:
    terminal_width(WIDE)
    outcome = solverq(*path, "--help")
    assert outcome.exit_code == 0, outcome.output
    shown = words(re.sub("[│╭╮╰╯─]", " ", outcome.stdout))
    texts = [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
    for text in texts:
        assert words(text) in shown


def test_errors_show_brackets_as_written(solverq) -> None:
    outcome = solverq("plugins", "show", "heat[bold]")
    assert outcome.exit_code == 2
    assert error_line(outcome).startswith("error: unknown plugin 'heat[bold]' (known: ")
    outcome = solverq("submit", "euler", "-p", "rhs=[red]y", "-p", "y0=1", "-p", "x1=1")
    assert outcome.exit_code == 2 and "got '[red]y'" in error_line(outcome)
