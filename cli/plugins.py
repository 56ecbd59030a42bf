"""`solverq plugins`: the installed solver plugins and their parameters."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from solverq.cli.output import print_json, stdout

app = typer.Typer(help="List the installed solver plugins and show their parameters.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.callback(invoke_without_command=True)
def list_plugins(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the installed plugins: name, version, summary."""
    if ctx.invoked_subcommand is not None:
        return
    from solverq.plugins.registry import discover

    plugins = discover()
    if as_json:
        print_json(
            [
                {
                    "name": p.name,
                    "version": p.version,
                    "distribution": p.distribution,
                    "summary": p.summary,
                }
                for p in plugins.values()
            ]
        )
        return
    table = Table("name", "version", "summary", box=None, padding=(0, 2))
    for plugin in plugins.values():
        table.add_row(plugin.name, plugin.version, plugin.summary)
    stdout.print(table)


@app.command("show")
def show_plugin(
    name: Annotated[str, typer.Argument(help="The plugin's name.")],
    as_json: JsonOption = False,
) -> None:
    """Print a plugin's parameters: type, default, bounds and help."""
    from solverq.plugins.parameters import parameter_schema, type_text
    from solverq.plugins.registry import get_plugin

    plugin = get_plugin(name)
    schema = parameter_schema(plugin.plugin_class.Parameters)
    if as_json:
        print_json({"name": plugin.name, "summary": plugin.summary, "parameters": schema})
        return
    stdout.print(f"[bold]{plugin.name}[/bold] {plugin.version}: {plugin.summary}")
    table = Table("parameter", "type", "default", "help", box=None, padding=(0, 2))
    required = set(schema.get("required", []))
    for key, spec in schema.get("properties", {}).items():
        default = "(required)" if key in required else json.dumps(spec.get("default"))
        table.add_row(key, type_text(spec, schema), default, spec.get("description", ""))
    stdout.print(table)
