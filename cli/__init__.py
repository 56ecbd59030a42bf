"""The `solverq` command line."""
