"""The solver plugins that ship with solverq, registered through the same entry points as any."""
