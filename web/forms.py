"""A plugin's form, generated from its parameter model's JSON schema, and the parameters a
submitted form gives.

Each parameter is one field, filled with its default: a choice for an enumeration or a flag, a
text field otherwise. A submitted value is read as `solverq submit -p` reads it (JSON when it
parses, else the plain string; a parameter that can only be a string is taken as typed), and a
value left at its default is not sent, so that a named problem's values are not overridden by
the model's defaults, exactly as on the command line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from solverq.plugins.parameters import parameter_schema, parse_value, type_text

FIELD_PREFIX = "p."
NO_DEFAULT = object()


@dataclass(frozen=True)
class FormField:
    """One parameter of a plugin's form."""

    name: str
    type: str
    """The type as `solverq plugins show` words it, with its bounds."""
    help: str
    value: str
    """The text the field starts with: the default, as a user would type it."""
    choices: list[str]
    """The values of a choice field; none for a text field."""
    required: bool
    plain_string: bool
    """Whether the parameter can only be a string, so that the text is taken as typed."""

    @property
    def input_name(self) -> str:
        return FIELD_PREFIX + self.name


def form_fields(model: type[BaseModel]) -> list[FormField]:
    """The form of a parameter model, one field per parameter in declaration order."""
    schema = parameter_schema(model)
    required = set(schema.get("required", []))
    fields = []
    for name, spec in schema.get("properties", {}).items():
        spec = _resolved(spec, schema)
        options = spec.get("anyOf", [spec])
        nullable = any(option.get("type") == "null" for option in options)
        choices = _choices(options)
        plain_string = [option.get("type") for option in options if "enum" not in option] == [
            "string"
        ] and not choices
        default = spec.get("default", NO_DEFAULT)
        fields.append(
            FormField(
                name=name,
                type=type_text(spec, schema),
                help=spec.get("description", ""),
                value="" if default is NO_DEFAULT or default is None else _typed(default),
                choices=(["", *choices] if nullable and choices else choices),
                required=name in required,
                plain_string=plain_string,
            )
        )
    return fields


def submitted_parameters(model: type[BaseModel], form: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a submitted form sets: the fields that are filled in and differ from the
    defaults."""
    params: dict[str, Any] = {}
    for field in form_fields(model):
        text = form.get(field.input_name)
        if not isinstance(text, str) or (text.strip() == "" and not field.required):
            continue
        if text == field.value:
            continue
        params[field.name] = text if field.plain_string else parse_value(text.strip())
    return params


def _choices(options: list[dict[str, Any]]) -> list[str]:
    """The values a parameter can only take one of (an enumeration, or true and false)."""
    enumerated = [value for option in options for value in option.get("enum", [])]
    if enumerated and all("enum" in option or option.get("type") == "null" for option in options):
        return [_typed(value) for value in enumerated]
    if [option.get("type") for option in options if option.get("type") != "null"] == ["boolean"]:
        return ["true", "false"]
    return []


def _typed(value: Any) -> str:
    """A value as a user would type it: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A property's schema with a `$ref` to a definition (an enumeration class) replaced."""
    if "$ref" not in spec:
        return spec
    definition = schema.get("$defs", {}).get(spec["$ref"].rsplit("/", 1)[-1], {})
    return {**definition, **{key: value for key, value in spec.items() if key != "$ref"}}
