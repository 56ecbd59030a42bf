"""The content digest: equal for jobs that compute the same thing, different otherwise."""

import hashlib
import json

import numpy as np
import pytest

from solverq.plugins.parameters import stored_parameters, validate_parameters
from solverq.plugins.registry import PluginInfo, get_plugin
from solverq.worker.digest import array_identity, canonical, content_digest


@pytest.fixture
def sgd() -> PluginInfo:
    return get_plugin("sgd")


def stored(plugin: PluginInfo, params: dict) -> dict:
    return stored_parameters(
        validate_parameters(plugin.plugin_class.Parameters, params, owner="sgd")
    )


def digest(plugin: PluginInfo, params: dict, inputs: dict | None = None) -> str:
    return content_digest(plugin, stored(plugin, params), inputs or {})


def test_defaults_key_order_and_number_spelling_do_not_matter(sgd: PluginInfo) -> None:
    default_seed = sgd.plugin_class.Parameters.model_fields["seed"].default
    base = digest(sgd, {"eta": 0.1, "epochs": 20})
    assert digest(sgd, {"epochs": 20, "eta": 0.1, "seed": default_seed}) == base
    assert digest(sgd, {"eta": 0.1000000000000000055511151231257827, "epochs": 20}) == base
    assert digest(sgd, {"eta": 0.1, "epochs": 21}) != base
    assert digest(sgd, {"eta": float(np.nextafter(0.1, 1.0)), "epochs": 20}) != base


def test_floats_are_written_by_repr_and_negative_zero_is_zero() -> None:
    assert canonical({"a": -0.0, "b": [0.1 + 0.2]}) == {
        "a": {"float": "0.0"},
        "b": [{"float": repr(0.30000000000000004)}],
    }
    assert canonical({"n": 1}) != canonical({"n": 1.0})


def test_the_digest_is_the_sha256_of_the_canonical_document(sgd: PluginInfo) -> None:
    params = stored(sgd, {})
    document = {"plugin": "sgd", "version": sgd.version, "params": canonical(params), "inputs": []}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    assert content_digest(sgd, params, {}) == hashlib.sha256(text.encode()).hexdigest()


def test_the_bytes_of_the_inputs_count_not_their_layout(sgd: PluginInfo) -> None:
    x = np.linspace(0.0, 1.0, 12).reshape(3, 4)
    base = content_digest(sgd, stored(sgd, {}), {"x": x})
    assert content_digest(sgd, stored(sgd, {}), {"x": np.asfortranarray(x)}) == base
    assert content_digest(sgd, stored(sgd, {}), {"x": x.astype(">f8")}) == base
    changed = x.copy()
    changed[2, 3] = np.nextafter(changed[2, 3], 2.0)
    assert content_digest(sgd, stored(sgd, {}), {"x": changed}) != base
    assert content_digest(sgd, stored(sgd, {}), {"x": x.reshape(4, 3)}) != base
    assert content_digest(sgd, stored(sgd, {}), {"y": x}) != base


def test_big_integers_are_hashed_by_their_digits() -> None:
    big = np.array([2**70, 3], dtype=object)
    assert array_identity("a", big)[1:3] == ["bigint", [2]]
    assert array_identity("a", big) != array_identity("a", np.array([2**70 + 1, 3], dtype=object))


def test_another_version_of_the_plugin_gives_another_digest(sgd: PluginInfo) -> None:
    newer = PluginInfo(sgd.name, sgd.plugin_class, sgd.distribution, sgd.version + ".post1")
    params = stored(sgd, {})
    assert content_digest(newer, params, {}) != content_digest(sgd, params, {})
