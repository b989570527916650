"""The OpenAPI document is accurate (issue 10, item 8): it validates, amounts are documented as
the decimal strings the API sends, error bodies have the API's one error shape, and a 405 with
its `Allow` header is documented and sent."""
from openapi_spec_validator import OpenAPIV30SpecValidator


def _spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_validates(client):
    errors = [f"{list(error.absolute_path)}: {error.message[:200]}"
              for error in OpenAPIV30SpecValidator(_spec(client)).iter_errors()]
    assert errors == []


def test_amounts_are_documented_as_decimal_strings(client):
    schemas = _spec(client)["components"]["schemas"]
    for schema, field in (("Payment", "amount"), ("PaymentIn", "amount"), ("Statement", "balance"),
                          ("Line", "amount"), ("LineStanding", "amount"), ("OtherCharge", "amount"),
                          ("FeeSettings", "property_fee_rate")):
        prop = schemas[schema]["properties"][field]
        assert prop["type"] == "string" and prop["format"] == "decimal", (schema, field, prop)
        for bound in ("minimum", "maximum"):
            assert not isinstance(prop.get(bound), str), (schema, field, prop)


def test_error_bodies_are_documented_in_the_shape_the_api_sends(client):
    spec = _spec(client)
    responses = spec["components"]["responses"]
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ApiError"}
    sent = client.post("/api/v1/auth/token", json={}).get_json()
    assert set(sent) <= set(spec["components"]["schemas"]["ApiError"]["properties"]) and sent["error"]


def test_405_is_documented_and_sent_with_allow(client):
    spec = _spec(client)
    operation = spec["paths"]["/api/v1/auth/token"]["post"]
    assert operation["responses"]["405"] == {"$ref": "#/components/responses/METHOD_NOT_ALLOWED_WITH_ALLOW"}
    assert "Allow" in spec["components"]["responses"]["METHOD_NOT_ALLOWED_WITH_ALLOW"]["headers"]
    response = client.put("/api/v1/auth/token")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"
    assert {method.strip() for method in response.headers["Allow"].split(",")} >= {"POST", "DELETE"}
