"""The /api/v1 shell: mounts each domain's API blueprint, token auth is in accounts.access.

Bodies are validated by marshmallow schemas through flask-smorest, and the same schemas
generate the OpenAPI document at /api/v1/openapi.json.
"""
from decimal import Decimal
from functools import wraps

from flask import Flask
from marshmallow import fields

from handover.core.access import public
from handover.extensions import csrf, rest_api

API_PREFIX = "/api/v1"


def register_api(app: Flask) -> None:
    from handover.accounts.api import blp as accounts_blp
    from handover.cases.api import blp as cases_blp
    from handover.notifications.api import blp as notifications_blp
    from handover.surveys.api import blp as surveys_blp
    from handover.defects.api import blp as defects_blp
    from handover.defects.export_api import blp as defect_exports_blp
    from handover.fees.api import blp as fees_blp
    from handover.fees.documents_api import blp as fee_documents_blp
    from handover.field.api import blp as field_blp
    from handover.handovers.api import blp as handovers_blp
    from handover.handovers.day_api import blp as handover_day_blp
    from handover.risks.api import blp as risks_blp
    from handover.inspections.api import blp as inspections_blp
    from handover.jobs.api import blp as jobs_blp
    from handover.keys.api import blp as keys_blp
    from handover.keys.documents_api import blp as key_documents_blp
    from handover.projects.api import blp as projects_blp

    _document_decimals()
    rest_api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in (accounts_blp, projects_blp, inspections_blp, defects_blp, fees_blp, keys_blp, defect_exports_blp, jobs_blp,
                      fee_documents_blp, key_documents_blp, handovers_blp, risks_blp, cases_blp,
                      notifications_blp, surveys_blp, field_blp, handover_day_blp):
        csrf.exempt(blueprint)
        rest_api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    _make_spec_public(app)


def _make_spec_public(app: Flask) -> None:
    endpoint = "api-docs.openapi_json"
    original = app.view_functions[endpoint]

    @public
    @wraps(original)
    def openapi_json():
        return original()

    app.view_functions[endpoint] = openapi_json


def decimal_property(converter, field, ret=None, **kwargs) -> dict:
    """Decimals as the API speaks them: amounts, areas and rates serialised as strings are
    documented as strings ("format": "decimal"); a Range given in Decimals becomes plain JSON
    numbers (apispec would write "0" as a string, which is not a valid schema)."""
    if not isinstance(field, fields.Decimal):
        return {}
    update = {key: float(value) for key, value in (ret or {}).items()
              if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
              and isinstance(value, (str, Decimal))}
    if field.as_string:
        update.update({"type": "string", "format": "decimal"})
    return update


def _document_decimals() -> None:
    converter = rest_api.ma_plugin.converter
    if decimal_property not in getattr(converter, "handover_functions", ()):
        converter.add_attribute_function(decimal_property)
        converter.handover_functions = (*getattr(converter, "handover_functions", ()), decimal_property)
