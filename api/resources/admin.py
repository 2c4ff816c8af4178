"""Administration: the audit trail of security events, and the outbox of queued work."""

from flask.views import MethodView

from api import outbox
from api.blueprint import Blueprint
from api.models import Role
from api.models.base import utcnow
from api.schemas.audit import AuditEventSchema, AuditQueryArgsSchema
from api.schemas.outbox import OutboxItemSchema, OutboxQueryArgsSchema, OutboxStatisticsSchema
from api.services import audit

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Administration: the audit trail and the outbox (admins only).")


@blp.route("/audit")
class Audit(MethodView):
    @blp.doc(operationId="listAuditEvents")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.paginated(AuditEventSchema)
    def get(self, args):
        """List security events.

        Logins (succeeded and failed), registrations, email verifications, invitations,
        password reset requests and completions, password changes, role and status
        changes, ended sessions and deletions, newest first. Filter by `member` (id),
        `event`, and time (`from` inclusive, `to` exclusive, RFC 3339).
        """
        return audit.list_events(args)


@blp.route("/outbox")
class Outbox(MethodView):
    @blp.doc(operationId="getOutboxStatistics")
    @blp.auth_required(Role.ADMIN)
    @blp.response(200, OutboxStatisticsSchema)
    def get(self):
        """Show the state of the outbox and its workers.

        Everything that leaves the API (emails, webhook calls, scheduled publication
        notices) waits here until a worker delivers it. Watch `due` and
        `oldest_due_seconds` (a growing backlog: add workers) and `last_heartbeat_seconds`
        (above ~15 s no worker is running).
        """
        return outbox.statistics(utcnow())


@blp.route("/outbox/items")
class OutboxItems(MethodView):
    @blp.doc(operationId="listOutboxItems")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(OutboxQueryArgsSchema, location="query")
    @blp.paginated(OutboxItemSchema)
    def get(self, args):
        """List queued and failed items, newest first.

        Filter by `status` (`failed`: given up after the last attempt or refused for good,
        kept 30 days) and `kind` (`email`, `webhook`, `publication`).
        """
        return outbox.list_items(args)


@blp.route("/outbox/items/<uuid:item_id>/retry")
class OutboxItemRetry(MethodView):
    @blp.doc(operationId="retryOutboxItem")
    @blp.auth_required(Role.ADMIN)
    @blp.response(202, OutboxItemSchema)
    @blp.problem(404, "No failed item has this id.")
    def post(self, item_id):
        """Queue a failed item again, from its first attempt."""
        return outbox.requeue(item_id)
