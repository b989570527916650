from marshmallow import Schema, fields


class NotificationSchema(Schema):
    id = fields.Integer()
    topic = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()


class ReadInSchema(Schema):
    ids = fields.List(fields.Integer(), load_default=None, metadata={"description": "none: mark all read"})


class ReadSchema(Schema):
    marked = fields.Integer()
    unread = fields.Integer()
