import subprocess
import sys
import warnings

import pytest

from solverq.plugins.errors import RejectedRequest
from solverq.plugins.registry import (
    PluginWarning,
    discover,
    get_plugin,
    headline_metrics,
    reset,
)
from tests.conftest import install_distribution


def test_a_third_party_distribution_registers_plugins(test_plugins) -> None:
    plugins = discover()
    assert {"echo", "sleep", "explode"} <= set(plugins)
    echo = plugins["echo"]
    assert echo.distribution == "solverq-testplugins"
    assert echo.version == "1.0"
    assert echo.plugin_class.__module__ == "solverq_testplugins"
    assert echo.summary == "Return the given numbers times a scale"


def test_plugins_are_loaded_once(test_plugins) -> None:
    assert get_plugin("echo") is get_plugin("echo") is discover()["echo"]


def test_asking_for_one_plugin_imports_only_that_one() -> None:
    probe = (
        "import sys; from solverq.plugins.registry import get_plugin; get_plugin('euler'); "
        "print('solverq.plugins.builtin.euler' in sys.modules, "
        "'solverq.plugins.builtin.sgd' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split() == ["True", "False"], loaded.stderr


def test_builtin_plugins_come_through_the_same_entry_point_group() -> None:
    reset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        plugins = discover()
    for info in plugins.values():
        if info.distribution == "solverq":
            assert info.plugin_class.__module__.startswith("solverq.plugins.builtin.")


def test_misbehaving_plugins_warn_and_the_others_still_load(monkeypatch, test_plugins) -> None:
    install_distribution(monkeypatch, "misbehaving")
    monkeypatch.syspath_prepend(str(test_plugins))  # the original `echo` comes first
    reset()
    with pytest.warns(PluginWarning) as caught:
        plugins = discover()
    messages = "\n".join(str(w.message) for w in caught)
    assert "plugin 'broken' from solverq-misbehaving failed to import: ModuleNotFoundError" in (
        messages
    )
    assert (
        "'not-a-plugin'" in messages and "is not a subclass of solverq.plugins.Plugin" in messages
    )
    assert "registered as 'echoes' but its name is 'something-else'" in messages
    assert "plugin 'echo' from solverq-misbehaving ignored: the name is already taken" in messages
    assert plugins["echo"].distribution == "solverq-testplugins"
    assert not {"broken", "not-a-plugin", "echoes"} & set(plugins)
    reset()


def test_unknown_plugin_lists_the_known_ones(test_plugins) -> None:
    with pytest.raises(RejectedRequest, match=r"unknown plugin 'ech' \(known: .*echo.*\)"):
        get_plugin("ech")


def test_builtin_plugins_declare_their_headline_metrics() -> None:
    headlines = {name: get_plugin(name).headline for name in ("sgd", "euler", "nn-ode")}
    assert headlines == {
        "sgd": ("mse", "r2"),
        "euler": ("max_abs_error",),
        "nn-ode": ("loss", "max_abs_error"),
    }
    assert get_plugin("convolution").headline == ("method",)
    assert headline_metrics("sgd") == ("mse", "r2") and headline_metrics("heat") == ()
