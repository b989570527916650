"""Query arguments of the export endpoints: the same filters as the defect list."""
from marshmallow import Schema, fields, post_load

from handover.defects.models import DefectStatus
from handover.defects.queries import DefectFilters
from handover.inspections.models import InspectionStage


class DefectFilterArgsSchema(Schema):
    building_id = fields.Integer()
    status = fields.Enum(DefectStatus, by_value=True)
    contractor_id = fields.Integer()
    category = fields.String()
    room = fields.String()
    stage = fields.Enum(InspectionStage, by_value=True)
    overdue = fields.Boolean()
    quick_fix = fields.Boolean()

    @post_load
    def to_filters(self, data, **_kwargs) -> DefectFilters:
        return DefectFilters(**data)
