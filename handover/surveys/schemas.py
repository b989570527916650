from marshmallow import Schema, fields, validate


class InvitationSchema(Schema):
    id = fields.Integer()
    touchpoint = fields.String(attribute="touchpoint.value")
    unit_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ResponseInSchema(Schema):
    recommend = fields.Integer(required=True, validate=validate.Range(min=0, max=10))
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(validate=validate.Range(min=1, max=5)),
                         load_default=dict)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
    complaint = fields.Boolean(load_default=False, metadata={"description": "the comment is a complaint"})


class ResponseSchema(Schema):
    id = fields.Integer()
    recommend = fields.Integer()
    scores = fields.Dict()
    comment = fields.String()
    follow_up_case_id = fields.Integer(allow_none=True)


class SatisfactionSchema(Schema):
    nps = fields.Integer(allow_none=True)
    responses = fields.Integer()
    invited = fields.Integer()
    response_rate = fields.Integer(allow_none=True)
    scores = fields.Dict()
    by_touchpoint = fields.Dict()
    by_building = fields.Dict()
    follow_ups = fields.Dict()
