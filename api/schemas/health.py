"""Health check schemas: liveness, and readiness with the state of each dependency."""

import marshmallow as ma

from api.errors import ProblemSchema

STATES = ["ok", "unavailable"]


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"enum": ["ok"]})


class ChecksSchema(ma.Schema):
    database = ma.fields.String(required=True, metadata={"enum": STATES})
    redis = ma.fields.String(metadata={"enum": STATES,
                                       "description": "Only when `REDIS_URL` is set."})


class ReadinessSchema(HealthSchema):
    checks = ma.fields.Nested(ChecksSchema, required=True)


class ReadinessProblemSchema(ProblemSchema):
    """The 503 of a readiness check: problem details, and which dependency failed."""

    checks = ma.fields.Nested(ChecksSchema, required=True)
