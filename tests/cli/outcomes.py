"""Reading the outcome of a command."""


def error_line(outcome) -> str:
    """The one error line of a command that failed (warnings about other plugins aside)."""
    assert "Traceback" not in outcome.output
    [line] = [line for line in outcome.stderr.splitlines() if line.startswith("error: ")]
    return line
