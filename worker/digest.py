"""The content digest of a job: what its result is a function of, hashed.

The digest is the SHA-256 of a canonical JSON document holding the plugin's name and version
(its distribution's), the validated parameters (defaults filled in, keys sorted, each float
written as its shortest round-trip form, ``repr``, with -0.0 as 0.0) and, for each input array
by name, its dtype (little-endian), its shape and the SHA-256 of its bytes in C order. Two jobs
with the same digest compute the same thing, so a succeeded one can stand for the other; a new
version of the plugin gives new digests, so an older version's results are never reused.

SHA-256 is the hash of NIST FIPS 180-4, "Secure Hash Standard" (2015).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from solverq.plugins.registry import PluginInfo


def content_digest(
    plugin: PluginInfo, params: Mapping[str, Any], inputs: Mapping[str, np.ndarray]
) -> str:
    """The digest of a job of `plugin` with the stored (validated) `params` and `inputs`."""
    document = {
        "plugin": plugin.name,
        "version": plugin.version,
        "params": canonical(params),
        "inputs": [array_identity(name, inputs[name]) for name in sorted(inputs)],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(value: Any) -> Any:
    """JSON data in one form: floats as their `repr` text, -0.0 as 0.0 (mapping keys are
    sorted when the document is written)."""
    if isinstance(value, float):
        return {"float": repr(value + 0.0) if math.isfinite(value) else repr(value)}
    if isinstance(value, Mapping):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


def array_identity(name: str, array: np.ndarray) -> list[Any]:
    """An input array as its name, dtype, shape and the SHA-256 of its bytes."""
    if array.dtype == object:  # exact big integers: their decimal digits
        data = "\n".join(str(item) for item in array.ravel()).encode()
        dtype = "bigint"
    else:
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        data = np.ascontiguousarray(little).tobytes()
        dtype = little.dtype.str
    return [name, dtype, list(array.shape), hashlib.sha256(data).hexdigest()]
