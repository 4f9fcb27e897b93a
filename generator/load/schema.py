"""The JSON Schemas shipped in the package, and checking a mapping against them.

The schema files are the one source of truth for the formats: validation here,
editor support (`gitdesk schema`) and the docs all read the same files.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from typing import TYPE_CHECKING

from gitdesk.model import Kind

if TYPE_CHECKING:  # imported where used: jsonschema is a third of a warm `gitdesk sla`'s start-up
    import jsonschema
    from jsonschema import Draft202012Validator

SCHEMA_NAMES: tuple[str, ...] = ("incident", "decision", "backlog", "maintenance", "runbook", "config")


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation: the path to the offending value, a code and a message."""

    path: tuple[str | int, ...]
    code: str
    message: str


def schema_text(name: str) -> str:
    """The raw JSON text of a shipped schema (``incident``, ..., ``config``)."""
    from importlib import resources  # with tempfile and zipfile under it: only a load needs it

    return resources.files("gitdesk.load.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    return json.loads(schema_text(name))  # type: ignore[no-any-return]


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_text(name)))


@lru_cache(maxsize=None)
def _fast(name: str) -> Any:
    # Compiled to Python code: ~20x faster than jsonschema on valid documents. Our
    # schemas only use keywords whose meaning is the same in draft-07 and 2020-12,
    # so both agree on validity (tests/foundation checks every golden case on both).
    import fastjsonschema

    return fastjsonschema.compile(json.loads(schema_text(name)), use_default=False)  # it may rewrite the dict it is given


def properties(name: str) -> list[str]:
    """Top-level field names a schema allows."""
    return list(schema(name).get("properties", {}))


def check(name: str | Kind, value: Any) -> list[SchemaProblem]:
    """All schema problems of ``value`` against schema ``name``, in document order."""
    import fastjsonschema

    key = name.value if isinstance(name, Kind) else name
    try:
        _fast(key)(value)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # invalid: let jsonschema explain every problem, with paths
    validator = _validator(key)
    problems: dict[SchemaProblem, None] = {}  # ordered set: `required` errors repeat per missing key
    for error in validator.iter_errors(value):
        problems.update(dict.fromkeys(_explain(error, key)))
    return list(problems)


def _explain(error: jsonschema.ValidationError, name: str) -> Iterator[SchemaProblem]:
    path = tuple(error.absolute_path)
    where = _where(path)
    validator = error.validator
    if validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        for field in extra:
            hint = difflib.get_close_matches(str(field), allowed, n=1, cutoff=0.6)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(sorted(allowed))}"
            if field == "priority" and name == "backlog":
                suggestion = "; priority is computed from impact and effort, remove it"
            yield SchemaProblem(path + (field,), "GD101", f"unknown field '{field}'{where}{suggestion}")
        return
    if validator == "required":
        missing = [f for f in error.validator_value if f not in error.instance]
        for field in missing:
            yield SchemaProblem(path, "GD100", f"missing required field '{field}'{where}")
        return
    if validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        yield SchemaProblem(path, "GD102", f"{_name(path)} is {error.instance!r}; expected one of: {choices}")
        return
    if validator == "type":
        yield SchemaProblem(path, "GD103", f"{_name(path)} must be {_type_name(error.validator_value)}, not {_type_name(_json_type(error.instance))}")
        return
    if validator == "pattern":
        yield SchemaProblem(path, _pattern_code(error), _pattern_message(path, error))
        return
    if validator == "oneOf":
        # Report the closest branch rather than jsonschema's "is not valid under any".
        from jsonschema.exceptions import best_match

        best = best_match(error.context or [])
        if best is not None and best is not error:
            yield from _explain(best, name)
            return
    if validator == "uniqueItems":
        yield SchemaProblem(path, "GD106", f"{_name(path)} lists the same value twice")
        return
    yield SchemaProblem(path, "GD106", f"{_name(path)}: {error.message}")


def _pattern_code(error: jsonschema.ValidationError) -> str:
    description = str(error.schema.get("description", ""))
    if "offset" in description:
        return "GD105"
    return "GD104"


def _pattern_message(path: tuple[str | int, ...], error: jsonschema.ValidationError) -> str:
    description = str(error.schema.get("description", ""))
    value = error.instance
    if "offset" in description:
        return f"{_name(path)} {value!r} needs a date, a time and an offset, e.g. 2026-03-02T09:30:00+01:00"
    if description:
        return f"{_name(path)} {value!r} is not valid: expected {description}"
    return f"{_name(path)} {value!r} does not match {error.validator_value}"


def _where(path: tuple[str | int, ...]) -> str:
    return f" in '{_dotted(path)}'" if path else ""


def _name(path: tuple[str | int, ...]) -> str:
    return f"'{_dotted(path)}'" if path else "the document"


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "text", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "empty"}


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return " or ".join(_TYPE_WORDS.get(str(v), str(v)) for v in value)
    return _TYPE_WORDS.get(str(value), str(value))


def reference_markdown() -> str:
    """The formats reference (docs/formats.md), rendered from the shipped schema files."""
    out = [
        "# Ticket and configuration formats",
        "",
        "Generated from the JSON Schemas in `generator/load/schemas/` (the single source of truth);",
        "`gitdesk schema --out DIR` exports the same files for your editor.",
        "Regenerate this page with `python -c 'from gitdesk.load.schema import reference_markdown as r; print(r(), end=\"\")' > docs/formats.md`.",
        "",
    ]
    for name in SCHEMA_NAMES:
        data = schema(name)
        required = set(data.get("required", []))
        out += [f"## {data['title']}", "", data.get("description", ""), "", "| field | type | required | meaning |", "|---|---|---|---|"]
        for field_name, spec in data["properties"].items():
            out.append(f"| `{field_name}` | {_describe_type(spec, data)} | {'yes' if field_name in required else ''} | {_describe(spec, data)} |")
        out.append("")
    return "\n".join(out)


def _resolve(spec: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = spec.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        merged = dict(root["$defs"][ref.rsplit("/", 1)[1]])
        merged.update({k: v for k, v in spec.items() if k != "$ref"})
        return merged
    return spec


def _describe_type(spec: dict[str, Any], root: dict[str, Any]) -> str:
    spec = _resolve(spec, root)
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    if "oneOf" in spec:
        return " or ".join(_describe_type(s, root) for s in spec["oneOf"])
    kind = spec.get("type", "any")
    if kind == "array" and "items" in spec:
        return f"list of {_describe_type(spec['items'], root)}"
    return _TYPE_WORDS.get(str(kind), str(kind))


def _describe(spec: dict[str, Any], root: dict[str, Any]) -> str:
    spec = _resolve(spec, root)
    text = str(spec.get("description", ""))
    if "properties" in spec and spec.get("type") == "object":
        keys = ", ".join(f"`{k}`" for k in spec["properties"])
        text = f"{text} (keys: {keys})" if text else f"keys: {keys}"
    return text.replace("|", "\\|")
