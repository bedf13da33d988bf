"""The readable API reference at /api/v1/docs: built on the server from the same OpenAPI
document as /api/v1/openapi.json, with our own template and stylesheet (no script, no CDN)."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_reference", __name__)

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _resolve(spec: dict, node: dict | None) -> dict:
    """A schema with its ``$ref`` followed (one level: nested schemas stay names)."""
    seen = 0
    while node and "$ref" in node and seen < 10:
        node = spec.get("components", {}).get("schemas", {}).get(_ref_name(node["$ref"]), {})
        seen += 1
    return node or {}


def _type_label(prop: dict) -> str:
    if "$ref" in prop:
        return _ref_name(prop["$ref"])
    kind = prop.get("type", "") or ("code" if prop.get("enum") else "")
    if isinstance(kind, list):
        kind = " | ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {_type_label(prop.get('items', {}))}"
    if prop.get("format"):
        return f"{kind} ({prop['format']})"
    if prop.get("allOf"):
        return " & ".join(_type_label(p) for p in prop["allOf"])
    return kind or "object"


def _fields(spec: dict, schema: dict | None) -> list[dict]:
    schema = _resolve(spec, schema)
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        rows.append(
            {
                "name": name,
                "type": _type_label(prop),
                "required": name in required,
                "read_only": prop.get("readOnly", False),
                "enum": prop.get("enum") or _resolve(spec, prop).get("enum"),
                "description": prop.get("description", ""),
            }
        )
    return rows


def _content_schema(spec: dict, node: dict) -> dict | None:
    node = node or {}
    if "$ref" in node:  # a response or request body kept in components
        section = "responses" if "/responses/" in node["$ref"] else "requestBodies"
        node = spec.get("components", {}).get(section, {}).get(_ref_name(node["$ref"]), {})
    content = (node.get("content") or {}).get("application/json") or {}
    return content.get("schema")


def operations(spec: dict) -> list[dict]:
    """Every operation of the document, in path order, ready for the template."""
    found = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            body = _content_schema(spec, op.get("requestBody", {}))
            responses = []
            for status, response in sorted(op.get("responses", {}).items()):
                schema = _content_schema(spec, response)
                if "$ref" in response:
                    response = spec["components"]["responses"].get(_ref_name(response["$ref"]), {})
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "schema": _ref_name(schema["$ref"]) if schema and "$ref" in schema else "",
                        "headers": sorted((response.get("headers") or {}).keys()),
                    }
                )
            found.append(
                {
                    "id": re.sub(r"[^a-z0-9]+", "-", f"{method}{path}".lower()).strip("-"),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": p.get("required", False),
                            "type": _type_label(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in [*shared, *op.get("parameters", [])]
                    ],
                    "body": _fields(spec, body) if body else [],
                    "body_name": _ref_name(body["$ref"]) if body and "$ref" in body else "",
                    "responses": responses,
                }
            )
    return found


def schemas(spec: dict) -> list[dict]:
    return [
        {
            "name": name,
            "fields": _fields(spec, schema),
            "description": schema.get("description"),
        }
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]


@bp.route("/api/v1/docs")
def reference():
    """The API reference for people: public, like the OpenAPI document it is made from."""
    api = current_app.extensions["wijklab_api"]
    spec = api.spec.to_dict()
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=operations(spec),
        schemas=schemas(spec),
        per_page_max=100,
    )
