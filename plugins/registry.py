"""Discovery of solver plugins through the entry-point group ``solverq.solvers``.

Entry points are read once per process, and a plugin is imported when it is first asked for, so
that running one plugin does not import all of them. A plugin that fails to import, is not a
`Plugin`, or repeats a name already taken is skipped with a `PluginWarning`; it never stops the
others.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from solverq.plugins.contract import Plugin
from solverq.plugins.errors import RejectedRequest

ENTRY_POINT_GROUP = "solverq.solvers"


class PluginWarning(UserWarning):
    """A plugin could not be loaded; the others still are."""


@dataclass(frozen=True)
class PluginInfo:
    """A discovered plugin: its class and the distribution that installed it."""

    name: str
    plugin_class: type[Plugin[Any]]
    distribution: str
    version: str

    @property
    def summary(self) -> str:
        return self.plugin_class.summary

    @property
    def headline(self) -> tuple[str, ...]:
        return self.plugin_class.headline


def discover() -> dict[str, PluginInfo]:
    """All loadable plugins by name, in name order (this imports every plugin)."""
    loaded = {name: _load_named(name) for name in _entry_points()}
    return {name: info for name, info in loaded.items() if info is not None}


def get_plugin(name: str) -> PluginInfo:
    """The plugin called `name` (importing only it), or `RejectedRequest` listing the known ones."""
    info = _load_named(name) if name in _entry_points() else None
    if info is None:
        known = ", ".join(discover()) or "none installed"
        raise RejectedRequest(f"unknown plugin '{name}' (known: {known})")
    return info


def headline_metrics(name: str) -> tuple[str, ...]:
    """The headline metrics the plugin called `name` declares; none when it is not installed."""
    try:
        return get_plugin(name).headline
    except RejectedRequest:
        return ()


def reset() -> None:
    """Forget what was discovered, so that newly installed distributions are seen."""
    _entry_points.cache_clear()
    _load_named.cache_clear()


@functools.cache
def _entry_points() -> dict[str, tuple[EntryPoint, ...]]:
    """The group's entry points by plugin name, in name order, without importing anything."""
    by_name: dict[str, list[EntryPoint]] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        same_name = by_name.setdefault(entry_point.name, [])
        if all(other.value != entry_point.value for other in same_name):
            same_name.append(entry_point)  # else: one distribution visible twice on sys.path
    return {name: tuple(found) for name, found in sorted(by_name.items())}


@functools.cache
def _load_named(name: str) -> PluginInfo | None:
    """The first loadable plugin registered as `name`; later ones are ignored with a warning."""
    kept: PluginInfo | None = None
    for entry_point in _entry_points()[name]:
        info = _load(entry_point)
        if info is None:
            continue
        if kept is None:
            kept = info
            continue
        warnings.warn(
            f"plugin '{name}' from {info.distribution} ignored: the name is already "
            f"taken by {kept.distribution} ({kept.plugin_class.__module__})",
            PluginWarning,
            stacklevel=3,
        )
    return kept


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
        return f"{plugin_class!r} is not a subclass of solverq.plugins.Plugin"
    for attribute in ("name", "summary", "Parameters"):
        if not hasattr(plugin_class, attribute):
            return f"{plugin_class.__name__} does not declare '{attribute}'"
    if plugin_class.name != registered_name:
        return f"registered as '{registered_name}' but its name is '{plugin_class.name}'"
    if not (
        isinstance(plugin_class.Parameters, type) and issubclass(plugin_class.Parameters, BaseModel)
    ):
        return f"{plugin_class.__name__}.Parameters is not a pydantic model"
    headline = plugin_class.headline
    if not (isinstance(headline, tuple) and all(isinstance(key, str) for key in headline)):
        return f"{plugin_class.__name__}.headline is not a tuple of summary keys"
    if plugin_class.solve is Plugin.solve:
        return f"{plugin_class.__name__} does not implement solve()"
    return None
