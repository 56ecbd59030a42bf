"""Rendering: values from users and plugins are shown as written, never read as rich markup."""

from rich.console import Console

from solverq.cli.output import key_value_table, table_cell


def rendered(renderable) -> str:
    console = Console(width=120, record=True)
    console.print(renderable)
    return console.export_text()


def test_key_value_tables_show_brackets_as_written() -> None:
    items = {"error": "no root in [x0, x1]; [bold]", "rhs[red]": "-y"}
    text = rendered(key_value_table("job", items))
    assert "no root in [x0, x1]; [bold]" in text and "rhs[red]" in text
    assert rendered(key_value_table("job", items, cut=False)) == text


def test_table_cells_show_brackets_as_written() -> None:
    assert rendered(table_cell("method [fft]")).strip() == "method [fft]"
