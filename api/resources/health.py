"""Health checks for load balancers and orchestrators."""

from flask import current_app
from flask.views import MethodView
from sqlalchemy import text

from api.blueprint import Blueprint
from api.cache import get_store
from api.errors import problem
from api.extensions import db
from api.schemas.health import HealthSchema, ReadinessProblemSchema, ReadinessSchema

NO_STORE = {"Cache-Control": "no-store"}

blp = Blueprint("health", __name__, url_prefix="/health",
                description="Liveness and readiness of the service.")


@blp.route("/live")
class Live(MethodView):
    @blp.doc(operationId="getLiveness")
    @blp.response(200, HealthSchema)
    def get(self):
        """Answer 200 while the process is up.

        For a liveness probe: restart the process when this fails.
        """
        return {"status": "ok"}, 200, NO_STORE


@blp.route("/ready")
class Ready(MethodView):
    @blp.doc(operationId="getReadiness")
    @blp.response(200, ReadinessSchema)
    @blp.problem(503, "The database or Redis cannot be reached; `checks` says which.",
                 schema=ReadinessProblemSchema)
    def get(self):
        """Answer 200 when the database and Redis (if configured) are reachable.

        For a readiness probe: take the process out of rotation while this answers 503.
        """
        checks = {"database": _database_ok()}
        if current_app.config["REDIS_URL"]:
            checks["redis"] = get_store().ping()
        states = {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
        if not all(checks.values()):
            failed = ", ".join(name for name, ok in checks.items() if not ok)
            return problem(503, "service_unavailable", f"Unavailable: {failed}.",
                           headers={"Retry-After": "5"} | NO_STORE, checks=states)
        return {"status": "ok", "checks": states}, 200, NO_STORE


def _database_ok():
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False
