"""Audit trail schemas: an event and the list's filters."""

import marshmallow as ma

from api.models import AuditEventType
from api.pagination import ListArgsSchema
from api.schemas.base import Timestamp
from api.schemas.member import MemberSummarySchema


class AuditEventSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True, required=True)
    event = ma.fields.Enum(AuditEventType, by_value=ma.fields.String, dump_only=True,
                           required=True)
    created_at = Timestamp(dump_only=True, required=True)
    member = ma.fields.Nested(MemberSummarySchema, dump_only=True, required=True,
                              allow_none=True,
                              metadata={"description": "Whom the event concerns."})
    actor = ma.fields.Nested(MemberSummarySchema, dump_only=True, required=True,
                             allow_none=True,
                             metadata={"description": "Who did it, when not the member."})
    ip_address = ma.fields.String(dump_only=True, required=True, allow_none=True)
    detail = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), dump_only=True,
                            required=True, metadata={"description": "What else is known, "
                                                     "such as a failed login's `reason`."})


class AuditQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("created_at",)
    DEFAULT_SORT = "-created_at"

    member = ma.fields.UUID(metadata={"description": "Events concerning this member."})
    event = ma.fields.Enum(AuditEventType, by_value=ma.fields.String)
    from_ = Timestamp(data_key="from", metadata={"description": "From this time on."})
    to = Timestamp(metadata={"description": "Before this time."})
