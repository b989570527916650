"""Request and response schemas of the accounts API (they also feed the OpenAPI document)."""
from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "staff username, or a homeowner's mobile number"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    role = fields.String()


class ActivationCodeSchema(Schema):
    code = fields.String(required=True)
    expires_at = fields.DateTime()


class ActivateRequestSchema(Schema):
    phone = fields.String(required=True, validate=validate.Regexp(r"^1[3-9]\d{9}$"))
    code = fields.String(required=True, validate=validate.Length(equal=8))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=128))


class ResetRequestSchema(ActivateRequestSchema):
    id_tail = fields.String(required=True, load_only=True, validate=validate.Length(equal=6),
                            metadata={"description": "the last six characters of the owner's ID number"})


class ActivatedSchema(Schema):
    username = fields.String(required=True)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=128))
