"""The figures of the built-in plugins, one module per plugin, each a `Plugin.plot` body."""
