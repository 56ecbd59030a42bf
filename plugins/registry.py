"""Discovery of solver plugins through the entry-point group ``solverq.solvers``.

Entry points are read once per process. A plugin that fails to import, is not a `Plugin`, or
repeats a name already taken is skipped with a `PluginWarning`; it never stops the others.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from plugins.contract import Plugin
from plugins.errors import RejectedRequest

ENTRY_POINT_GROUP = "solverq.solvers"


class PluginWarning(UserWarning):
    """A plugin could not be loaded; the others still are."""


@dataclass(frozen=True)
class PluginInfo:
    """A discovered plugin: its class and the distribution that installed it."""

    name: str
    plugin_class: type[Plugin]
    distribution: str
    version: str

    @property
    def summary(self) -> str:
        return self.plugin_class.summary


@functools.cache
def discover() -> dict[str, PluginInfo]:
    """All loadable plugins by name, in name order."""
    found: dict[str, PluginInfo] = {}
    seen: set[tuple[str, str]] = set()
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if (entry_point.name, entry_point.value) in seen:
            continue  # the same distribution visible twice on sys.path
        seen.add((entry_point.name, entry_point.value))
        info = _load(entry_point)
        if info is None:
            continue
        if info.name in found:
            kept = found[info.name]
            warnings.warn(
                f"plugin '{info.name}' from {info.distribution} ignored: the name is already "
                f"taken by {kept.distribution} ({kept.plugin_class.__module__})",
                PluginWarning,
                stacklevel=2,
            )
            continue
        found[info.name] = info
    return dict(sorted(found.items()))


def get_plugin(name: str) -> PluginInfo:
    """The plugin called `name`, or `RejectedRequest` listing the known ones."""
    plugins = discover()
    if name not in plugins:
        known = ", ".join(plugins) or "none installed"
        raise RejectedRequest(f"unknown plugin '{name}' (known: {known})")
    return plugins[name]


def _load(entry_point: EntryPoint) -> PluginInfo | None:
    distribution = entry_point.dist.name if entry_point.dist else "unknown distribution"
    version = entry_point.dist.version if entry_point.dist else ""
    try:
        plugin_class = entry_point.load()
    except Exception as error:  # a broken third-party plugin must not break the others
        warnings.warn(
            f"plugin '{entry_point.name}' from {distribution} failed to import: "
            f"{type(error).__name__}: {error}",
            PluginWarning,
            stacklevel=3,
        )
        return None
    problem = contract_problem(plugin_class, entry_point.name)
    if problem:
        warnings.warn(
            f"plugin '{entry_point.name}' from {distribution} ignored: {problem}",
            PluginWarning,
            stacklevel=3,
        )
        return None
    return PluginInfo(entry_point.name, plugin_class, distribution, version)


def contract_problem(plugin_class: object, registered_name: str) -> str | None:
    """Why `plugin_class` does not meet the contract's metadata, or None when it does."""
    from pydantic import BaseModel

    if not (isinstance(plugin_class, type) and issubclass(plugin_class, Plugin)):
        return f"{plugin_class!r} is not a subclass of plugins.Plugin"
    for attribute in ("name", "summary", "Parameters"):
        if not hasattr(plugin_class, attribute):
            return f"{plugin_class.__name__} does not declare '{attribute}'"
    if plugin_class.name != registered_name:
        return f"registered as '{registered_name}' but its name is '{plugin_class.name}'"
    if not (
        isinstance(plugin_class.Parameters, type) and issubclass(plugin_class.Parameters, BaseModel)
    ):
        return f"{plugin_class.__name__}.Parameters is not a pydantic model"
    if plugin_class.solve is Plugin.solve:
        return f"{plugin_class.__name__} does not implement solve()"
    return None
