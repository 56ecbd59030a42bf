"""Tables that fit the terminal: every heading whole, every row one line."""

from rich.console import Console
from rich.text import Text

from solverq.cli.fitted import Column, fitted_table, one_line


def rendered(table, width: int) -> list[str]:
    console = Console(width=width, record=True)
    console.print(table)
    return console.export_text().splitlines()


def column(header: str, *cells: str, **options) -> Column:
    return Column(header, [Text(cell) for cell in cells], **options)


def test_a_table_that_fits_is_shown_whole() -> None:
    fitted = fitted_table([column("job", "a1"), column("mse", "0.5")], 80)
    assert (fitted.left_out, fitted.cut) == ([], [])
    assert [line.rstrip() for line in rendered(fitted.table, 80)] == ["job  mse", "a1   0.5"]


def test_the_note_gives_up_width_first_then_the_widest_value() -> None:
    columns = [
        column("id", "0123456789ab", cut=False),
        column("theta", "[1.0, 2.0, 3.0, 4.0, 5.0]"),
        column("r2", "0.987"),
        column("error", "x" * 60, note=True),
    ]
    fitted = fitted_table(columns, 60)
    lines = rendered(fitted.table, 60)
    assert all(len(line) <= 60 for line in lines) and len(lines) == 2
    assert lines[0].split() == ["id", "theta", "r2", "error"]
    assert lines[1].split()[:3] == ["0123456789ab", "[1.0,", "2.0,"]
    assert fitted.cut == ["theta", "error"] and lines[1].rstrip().endswith("x…")
    assert "0.987" in lines[1]
    narrower = fitted_table(columns, 50)
    assert narrower.cut == ["theta", "error"] and narrower.left_out == []
    assert all(len(line) <= 50 for line in rendered(narrower.table, 50))
    assert rendered(narrower.table, 50)[1].split()[1:5] == ["[1.0,", "2.0,", "3.0…", "0.987"]


def test_columns_that_cannot_fit_are_left_out_from_the_right_the_note_last() -> None:
    columns = [
        column("job", "0123456789ab", cut=False),
        *(column(f"metric_{k}", "1.5") for k in range(8)),
        column("error", "diverged", note=True),
    ]
    fitted = fitted_table(columns, 80)
    lines = rendered(fitted.table, 80)
    shown = lines[0].split()
    assert all(len(line) <= 80 for line in lines)
    assert shown == ["job", "metric_0", "metric_1", "metric_2", "metric_3", "metric_4", "error"]
    assert fitted.left_out == ["metric_5", "metric_6", "metric_7"]


def test_one_line_keeps_the_first_line() -> None:
    assert one_line("diverged\n  at x = 1").plain == "diverged …"
    assert one_line(" converged ").plain == "converged"
