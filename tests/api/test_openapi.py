"""The OpenAPI 3.1 document lists every endpoint, and the reference page is made from it."""

from __future__ import annotations

import json

ENDPOINTS = {
    ("get", "/api/v1/me"),
    ("get", "/api/v1/projects"),
    ("get", "/api/v1/projects/{project_id}"),
    ("get", "/api/v1/teams/{team_id}"),
    ("get", "/api/v1/teams/{team_id}/tasks"),
    ("post", "/api/v1/teams/{team_id}/tasks"),
    ("post", "/api/v1/tasks/{task_id}/verify"),
    ("post", "/api/v1/tasks/{task_id}/return"),
}


def _spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_the_document_is_openapi_3_1_and_lists_every_endpoint(client):
    spec = _spec(client)
    assert spec["openapi"] == "3.1.0"
    found = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert found == ENDPOINTS


def test_every_operation_documents_its_errors_and_the_bearer_scheme(client):
    spec = _spec(client)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    for method, path in ENDPOINTS:
        responses = spec["paths"][path][method]["responses"]
        assert {"401", "429"} <= set(responses), (method, path)
        if method == "post":
            assert {"403", "404", "422"} <= set(responses), (method, path)


def test_the_document_uses_the_stable_codes(client):
    schemas = _spec(client)["components"]["schemas"]
    assert schemas["Task"]["properties"]["status"]["enum"] == [
        "pending",
        "verified",
        "returned",
    ]
    assert "residents_activity" in schemas["TaskIn"]["properties"]["category"]["enum"]
    assert schemas["Error"]["properties"]["error"]


def test_the_request_schemas_are_the_validating_ones(client):
    task_in = _spec(client)["components"]["schemas"]["TaskIn"]
    assert set(task_in["required"]) == {"date", "title", "category", "participants"}
    assert task_in["properties"]["title"]["maxLength"] == 160


def test_the_reference_page_shows_every_endpoint_from_our_own_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for method, path in ENDPOINTS:
        assert f"{method.upper()} {path}" in html
    assert "<script" not in html
    assert "https://" not in html and "http://" not in html.replace("http://localhost", "")
    assert "Authorization: Bearer" in html
