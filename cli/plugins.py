"""`solverq plugins`: the installed solver plugins and their parameters."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from solverq.cli.output import print_json, stdout

app = typer.Typer(help="List the installed solver plugins and show their parameters.")

MAX_TYPE_WIDTH = 24
MAX_DEFAULT_WIDTH = 16

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
        table.add_row(escape(plugin.name), escape(plugin.version), escape(plugin.summary))
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
    title = escape(f"{plugin.version}: {plugin.summary}")
    stdout.print(f"[bold]{escape(plugin.name)}[/bold] {title}")
    table = Table(box=None, padding=(0, 1), pad_edge=False)
    table.add_column("parameter", no_wrap=True)
    table.add_column("type", min_width=len("number"), max_width=MAX_TYPE_WIDTH)
    table.add_column("default", min_width=len("default"), max_width=MAX_DEFAULT_WIDTH)
    table.add_column("help", min_width=len("help"), ratio=1)
    required = set(schema.get("required", []))
    for key, spec in schema.get("properties", {}).items():
        default = "(required)" if key in required else json.dumps(spec.get("default"))
        cells = (key, type_text(spec, schema), default, spec.get("description", ""))
        table.add_row(*map(escape, cells))
    stdout.print(table)
