"""Outbox schemas: the queue's state for operators, and its items."""

import marshmallow as ma

from api.models import OutboxStatus
from api.pagination import ListArgsSchema
from api.schemas.base import Timestamp

KINDS = ["email", "webhook", "publication"]


class WorkerSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "host:pid:random"})
    hostname = ma.fields.String(required=True)
    pid = ma.fields.Integer(required=True)
    threads = ma.fields.Integer(required=True)
    started_at = Timestamp(required=True)
    heartbeat_at = Timestamp(required=True, metadata={"description": "Every 5 s while it "
                                                      "runs."})
    delivered = ma.fields.Integer(required=True, metadata={"description": "Since it started."})
    failed = ma.fields.Integer(required=True, metadata={"description": "Items it gave up on "
                                                        "since it started."})


class OutboxStatisticsSchema(ma.Schema):
    pending = ma.fields.Integer(required=True, metadata={
        "description": "Items waiting: due, retrying later, or scheduled."})
    due = ma.fields.Integer(required=True, metadata={"description": "Items that could be "
                                                     "delivered now (the backlog)."})
    oldest_due_seconds = ma.fields.Float(required=True, metadata={
        "description": "How long the oldest due item has waited; 0 when none is due."})
    failed = ma.fields.Integer(required=True, metadata={"description": "Items given up on, "
                                                        "kept 30 days."})
    last_heartbeat_seconds = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "Seconds since the last heartbeat of any worker; null when none ran "
        "in the last day. Above ~15 s no worker is running."})
    workers = ma.fields.List(ma.fields.Nested(WorkerSchema), required=True)


class OutboxItemSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": KINDS})
    status = ma.fields.Enum(OutboxStatus, by_value=True, required=True)
    summary = ma.fields.String(required=True, metadata={
        "description": "What it is, without its content (a mail's recipient, say)."})
    attempts = ma.fields.Integer(required=True)
    available_at = Timestamp(required=True, metadata={"description": "When it is due next."})
    created_at = Timestamp(required=True)
    failed_at = Timestamp(required=True, allow_none=True)
    last_error = ma.fields.String(required=True, allow_none=True)


class OutboxQueryArgsSchema(ListArgsSchema):
    SORT_FIELDS = ("created_at",)
    DEFAULT_SORT = "-created_at"

    status = ma.fields.Enum(OutboxStatus, by_value=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
