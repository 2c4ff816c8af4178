"""Administration: the audit trail of security events."""

from flask.views import MethodView

from api.blueprint import Blueprint
from api.models import Role
from api.schemas.audit import AuditEventSchema, AuditQueryArgsSchema
from api.services import audit

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin",
                description="Administration: the audit trail (admins only).")


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
