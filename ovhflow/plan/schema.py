"""The JSON Schema of a saved plan (``ovhflow schema --plan``), and its format's versions.

A plan is read back only after it passes this schema (:func:`ovhflow.plan.document.read_plan`): the
descriptions here are the format's reference, for a reviewer's tools as for ovhflow.
"""

from __future__ import annotations

from typing import Any

FORMAT = "ovhflow-plan"
VERSION = 3  # 2: a write may have placeholders (ovhflow/plan/placeholders.py); 3: recipe.includes
READS = (1, 2, 3)  # a version 1 plan is a version 2 plan without placeholders, 2 is 3 without includes

_SHA256: dict[str, Any] = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_SOURCE: dict[str, Any] = {
    "type": "string",
    "description": "where the answer is read: steps.create.result.id",
}
_PARTS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "description": "literal text and placeholders, in order",
    "items": {
        "anyOf": [
            {"type": "string"},
            {
                "type": "object",
                "required": ["from"],
                "properties": {"from": _SOURCE},
                "additionalProperties": False,
            },
        ]
    },
}
_PLACEHOLDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["in", "at", "type"],
    "properties": {
        "in": {"enum": ["path", "query", "body"]},
        "at": {
            "type": ["integer", "string"],
            "description": "path: the segment's index (the path split on /); query, body: a JSON Pointer",
        },
        "type": {
            "enum": ["segment", "text", "value"],
            "description": "segment: each placeholder of parts matches one or more characters of that path "
            "segment; text: a string whose placeholders match any text; value: any string, number or boolean",
        },
        "parts": _PARTS,
        "from": _SOURCE,
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "value"}}},
            "then": {"required": ["from"]},
            "else": {"required": ["parts"]},
        },
        {
            "if": {"properties": {"in": {"const": "path"}}},
            "then": {"properties": {"at": {"type": "integer", "minimum": 0}, "type": {"const": "segment"}}},
            "else": {"properties": {"at": {"type": "string"}, "type": {"enum": ["text", "value"]}}},
        },
    ],
}

_WRITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["step", "location", "method", "path"],
    "properties": {
        "step": {"type": ["string", "null"], "description": "the step's id (or name)"},
        "location": {"type": "string", "description": "FILE:LINE:COL of the step"},
        "action": {
            "type": ["string", "null"],
            "description": "the step's action (put, post, delete, or a plugin's); absent in older plans",
        },
        "item": {"description": "the loop item the write was made for (its name when it has one)"},
        "method": {"enum": ["POST", "PUT", "DELETE", "PATCH"]},
        "path": {"type": "string", "description": "the percent-encoded API path"},
        "query": {"type": ["object", "null"]},
        "body": {"description": "the JSON body (POST, PUT)"},
        "attempts": {
            "type": "integer",
            "minimum": 2,
            "description": "version 3: the most times the write may be sent, when its step (or a step around "
            "it) retries with until: (1 + retries, multiplied for nested ones); absent: once",
        },
        "placeholders": {
            "type": "array",
            "description": "values only an earlier write's answer tells (version 2): shown as {SOURCE} "
            "in path, query or body, and matching any value of their type when the plan is applied",
            "items": _PLACEHOLDER_SCHEMA,
        },
        "diff": {
            "type": ["array", "null"],
            "description": "for a PUT: the fields it changes; null when the current value was not read",
            "items": {
                "type": "object",
                "required": ["field", "from", "to"],
                "properties": {"field": {"type": "string"}, "from": {}, "to": {}},
            },
        },
    },
}

PLAN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ovhflow plan",
    "description": "What `ovhflow run --check --plan-out` planned; `ovhflow run --plan` applies it.",
    "type": "object",
    "required": ["format", "version", "created_at", "recipe", "endpoint", "inputs", "writes"],
    "properties": {
        "format": {"const": FORMAT},
        "version": {
            "enum": list(READS),
            "description": "2 adds placeholders, 3 the included files; version 1 and 2 plans are read",
        },
        "created_at": {"type": "string", "format": "date-time"},
        "ovhflow_version": {
            "type": "string",
            "description": "the version of ovhflow that made the plan (absent in plans made before it was "
            "recorded); applying with another version warns",
        },
        "recipe": {
            "type": "object",
            "required": ["path", "name", "sha256"],
            "properties": {
                "path": {"type": "string"},
                "name": {"type": "string"},
                "sha256": _SHA256,
                "includes": {
                    "type": "array",
                    "description": "version 3: every file the recipe includes (include:), directly or not, "
                    "its path relative to the recipe's folder",
                    "items": {
                        "type": "object",
                        "required": ["path", "sha256"],
                        "properties": {"path": {"type": "string"}, "sha256": _SHA256},
                        "additionalProperties": False,
                    },
                },
            },
        },
        "endpoint": {"type": "string", "description": "an endpoint name, a URL, or 'sandbox'"},
        "account": {"type": ["string", "null"], "description": "the account's nichandle (GET /me)"},
        "inputs": {
            "type": "object",
            "description": "input values; a secret input as {secret: true, salt, sha256} only",
        },
        "writes": {"type": "array", "items": _WRITE_SCHEMA},
    },
    "if": {"properties": {"version": {"const": 3}}},
    "then": {"properties": {"recipe": {"required": ["includes"]}}},
}
