"""Parameter declarations and their validation.

Each plugin declares its parameters once, as a `ParameterModel` (a pydantic model): types,
defaults, bounds and help text. That one declaration validates requests, fills in defaults for
the stored job, produces the JSON schema `solverq plugins show` prints, and words the errors:

    parameter 'eta' of sgd must be greater than 0, got -1
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from solverq.plugins.errors import RejectedRequest

Model = TypeVar("Model", bound=BaseModel)

MAX_SHOWN_INPUT = 60
MAX_NESTING = 64
"""The deepest lists and mappings may nest in parameters (a 2-D array nests 2 deep)."""


class ParameterModel(BaseModel):
    """Base class of plugin parameter models: unknown keys, non-finite numbers and booleans
    given for numbers (pydantic would read `true` as 1) are refused."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        populate_by_name=True,
        validate_default=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is not None:
            refuse_boolean_numbers(value, cls.model_fields[info.field_name].annotation)
        return value


def refuse_boolean_numbers(value: Any, annotation: Any) -> None:
    """Raise `ValueError` when `value`, or an entry of a list or mapping `value`, is a boolean
    where `annotation` takes a number but no boolean."""
    if isinstance(value, bool):
        if _admits(annotation, (int, float)) and not _admits(annotation, (bool,)):
            raise ValueError("must be a number, not a boolean")
        return
    entries = list(value.values()) if isinstance(value, dict) else value
    if not isinstance(entries, list):
        return
    for entry_type in {_entry_type(option) for option in _options(annotation)} - {None}:
        for entry in entries:
            try:
                refuse_boolean_numbers(entry, entry_type)
            except ValueError:
                raise ValueError("must hold numbers, not booleans") from None


def _options(annotation: Any) -> list[Any]:
    """The alternatives of a union (Annotated metadata removed), or the annotation itself."""
    if get_origin(annotation) is Annotated:
        return _options(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [option for arg in get_args(annotation) for option in _options(arg)]
    return [annotation]


def _admits(annotation: Any, kinds: tuple[type, ...]) -> bool:
    return any(option in kinds for option in _options(annotation))


def _entry_type(annotation: Any) -> Any:
    """The entry type of `list[T]` or `dict[K, T]`, else None."""
    if get_origin(annotation) in (list, dict):
        return get_args(annotation)[-1]
    return None


def validate_parameters(model: type[Model], params: Mapping[str, Any], owner: str) -> Model:
    """Validate `params` against `model`, or raise `RejectedRequest` naming the first bad one."""
    try:
        return model.model_validate(dict(params))
    except ValidationError as error:
        raise RejectedRequest(describe_validation_error(error, model, owner)) from None


def describe_validation_error(error: ValidationError, model: type[BaseModel], owner: str) -> str:
    """One line for the first parameter that failed; a union's alternatives are joined by 'or'."""
    errors = error.errors()
    first_field = errors[0]["loc"][0] if errors[0]["loc"] else ""
    group = [e for e in errors if e["loc"] and e["loc"][0] == first_field] or errors[:1]
    kind = group[0]["type"]
    where = _location(_common_prefix([e["loc"] for e in group]), model)
    if kind == "extra_forbidden":
        known = ", ".join(sorted(parameter_names(model)))
        return f"unknown parameter '{_shorten(where)}' of {owner} (known: {known})"
    if kind == "missing":
        return f"parameter '{where}' of {owner} is required"
    requirements: list[str] = []
    for e in group:
        requirement = _requirement(e["msg"])
        if requirement not in requirements:
            requirements.append(requirement)
    requirement = requirements[0] if len(requirements) == 1 else _alternatives(requirements)
    shown = _shorten(repr(group[0]["input"]))
    got = f" ({shown})" if ", got " in requirement else f", got {shown}"
    return f"parameter '{where}' of {owner} {requirement}{got}"


def parameter_names(model: type[BaseModel]) -> list[str]:
    """The names a user types: aliases where a field has one (`lambda`), else the field name."""
    return [field.alias or name for name, field in model.model_fields.items()]


def parameter_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of a parameter model, keyed by the names a user types."""
    return model.model_json_schema(by_alias=True)


def stored_parameters(params: BaseModel) -> dict[str, Any]:
    """Validated parameters as JSON-able data, defaults filled in: what a job row stores."""
    return params.model_dump(mode="json", by_alias=True)


def type_text(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    """A short human form of a parameter's JSON-schema type (`spec`, within the model's
    `schema`), with its bounds: `number (> 0)`, `list[number]`, `"auto" | number`."""
    if "enum" in spec:
        return " | ".join(json.dumps(v) for v in spec["enum"])
    if "const" in spec:
        return json.dumps(spec["const"])
    if "$ref" in spec:
        return type_text(schema.get("$defs", {}).get(spec["$ref"].rsplit("/", 1)[-1], {}), schema)
    if "anyOf" in spec:
        return " | ".join(type_text(option, schema) for option in spec["anyOf"])
    kind = spec.get("type", "any")
    if kind == "array" and "items" in spec:
        kind = f"list[{type_text(spec['items'], schema)}]"
    if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
        kind = f"dict[str, {type_text(spec['additionalProperties'], schema)}]"
    bounds = [
        f"{symbol} {spec[key]}"
        for key, symbol in (
            ("exclusiveMinimum", ">"),
            ("minimum", ">="),
            ("exclusiveMaximum", "<"),
            ("maximum", "<="),
        )
        if key in spec
    ]
    return f"{kind} ({', '.join(bounds)})" if bounds else kind


def parse_value(text: str) -> Any:
    """A command-line value: JSON when it parses (`[1,2]`, `1000`, `true`), else the plain string.

    JSON's non-standard NaN and Infinity are kept as strings, so that validation names them.
    """
    try:
        value = json.loads(text, parse_constant=str)
    except ValueError:
        return text
    except RecursionError:
        raise RejectedRequest(
            f"value '{_shorten(text)}' nests lists deeper than {MAX_NESTING}"
        ) from None
    check_nesting(value, f"value '{_shorten(text)}'")
    return value


def check_nesting(value: Any, what: str) -> None:
    """Refuse lists and mappings nested deeper than `MAX_NESTING` (`RejectedRequest`)."""
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > MAX_NESTING:
            raise RejectedRequest(f"{what} nests lists deeper than {MAX_NESTING}")
        level = [
            child
            for item in level
            if isinstance(item, list | dict)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, list | dict)
        ]


def assign(params: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` in `params`; a dotted key (`constants.gamma`) sets an entry of a mapping."""
    *parents, leaf = key.split(".")
    if not leaf or not all(parents):
        raise RejectedRequest(f"malformed parameter name '{_shorten(key)}'")
    target = params
    for parent in parents:
        child = target.setdefault(parent, {})
        if not isinstance(child, dict):
            raise RejectedRequest(
                f"parameter '{_shorten(parent)}' is not a mapping, cannot set '{_shorten(key)}'"
            )
        target = child
    target[leaf] = value


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split `KEY=VALUE` into the key and its parsed value."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise RejectedRequest(f"expected KEY=VALUE, got '{_shorten(text)}'")
    try:
        return key.strip(), parse_value(value)
    except RejectedRequest as error:
        raise RejectedRequest(f"parameter '{_shorten(key.strip())}': {error}") from None


def _requirement(message: str) -> str:
    for prefix, replacement in (("Input should be", "must be"), ("Value error, ", "")):
        if message.startswith(prefix):
            return replacement + message[len(prefix) :]
    return message[:1].lower() + message[1:]


def _alternatives(requirements: list[str]) -> str:
    """'must be a valid number' and 'must be 'auto'' read as 'must be a valid number or 'auto''."""
    shortened = [r.split(",")[0] for r in requirements]
    return " or ".join([shortened[0]] + [r.removeprefix("must be ") for r in shortened[1:]])


def _common_prefix(locations: list[tuple[int | str, ...]]) -> tuple[int | str, ...]:
    prefix = locations[0]
    for loc in locations[1:]:
        length = 0
        while length < min(len(prefix), len(loc)) and prefix[length] == loc[length]:
            length += 1
        prefix = prefix[:length]
    return prefix


def _location(loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    """The dotted path of `loc`; a field validated from its default is named by its alias."""
    if loc and loc[0] in model.model_fields:
        loc = (model.model_fields[str(loc[0])].alias or loc[0], *loc[1:])
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_INPUT else text[: MAX_SHOWN_INPUT - 3] + "..."
