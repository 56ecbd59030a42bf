"""Pure numerics: problems in, results out; no I/O, no database, no queue."""
