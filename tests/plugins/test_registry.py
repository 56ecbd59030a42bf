import warnings

import pytest

from plugins.errors import RejectedRequest
from plugins.registry import PluginWarning, discover, get_plugin
from tests.conftest import install_distribution


def test_a_third_party_distribution_registers_plugins(test_plugins) -> None:
    plugins = discover()
    assert {"echo", "sleep", "explode"} <= set(plugins)
    echo = plugins["echo"]
    assert echo.distribution == "solverq-testplugins"
    assert echo.version == "1.0"
    assert echo.plugin_class.__module__ == "solverq_testplugins"
    assert echo.summary == "Return the given numbers times a scale"


def test_discovery_is_cached(test_plugins) -> None:
    assert discover() is discover()


def test_builtin_plugins_come_through_the_same_entry_point_group() -> None:
    discover.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        plugins = discover()
    for info in plugins.values():
        if info.distribution == "solverq":
            assert info.plugin_class.__module__.startswith("plugins.builtin.")


def test_misbehaving_plugins_warn_and_the_others_still_load(monkeypatch, test_plugins) -> None:
    install_distribution(monkeypatch, "misbehaving")
    monkeypatch.syspath_prepend(str(test_plugins))  # the original `echo` comes first
    discover.cache_clear()
    with pytest.warns(PluginWarning) as caught:
        plugins = discover()
    messages = "\n".join(str(w.message) for w in caught)
    assert "plugin 'broken' from solverq-misbehaving failed to import: ModuleNotFoundError" in (
        messages
    )
    assert "'not-a-plugin'" in messages and "is not a subclass of plugins.Plugin" in messages
    assert "registered as 'echoes' but its name is 'something-else'" in messages
    assert "plugin 'echo' from solverq-misbehaving ignored: the name is already taken" in messages
    assert plugins["echo"].distribution == "solverq-testplugins"
    assert not {"broken", "not-a-plugin", "echoes"} & set(plugins)
    discover.cache_clear()


def test_unknown_plugin_lists_the_known_ones(test_plugins) -> None:
    with pytest.raises(RejectedRequest, match=r"unknown plugin 'ech' \(known: .*echo.*\)"):
        get_plugin("ech")
