"""The audit trail: recording security events and listing them for admins."""

from flask import has_request_context, request
from sqlalchemy import select

from api.extensions import db
from api.models import AuditEvent
from api.pagination import paginate

SORT_COLUMNS = {"created_at": AuditEvent.created_at}


def record(event, member=None, actor=None, **detail):
    """Add an event to the session; the caller's transaction commits it."""
    db.session.add(AuditEvent(
        event=event, member_id=member.id if member else None,
        actor_id=actor.id if actor else None, detail=detail,
        ip_address=request.remote_addr if has_request_context() else None,
    ))


def list_events(args):
    stmt = select(AuditEvent)
    if "member" in args:
        stmt = stmt.where(AuditEvent.member_id == args["member"])
    if "event" in args:
        stmt = stmt.where(AuditEvent.event == args["event"])
    if "from_" in args:
        stmt = stmt.where(AuditEvent.created_at >= args["from_"])
    if "to" in args:
        stmt = stmt.where(AuditEvent.created_at < args["to"])
    return paginate(db.session, stmt, args, SORT_COLUMNS)
