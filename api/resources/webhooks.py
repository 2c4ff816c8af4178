"""Webhooks: partner sites told when news, reports, events and parks change."""

import uuid

from flask import url_for
from flask.views import MethodView

from api.auth import current_member
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.webhook import (
    DeliveryQueryArgsSchema,
    DeliverySchema,
    EventTypeQueryArgsSchema,
    EventTypeSchema,
    QueuedEventSchema,
    WebhookCreateSchema,
    WebhookQueryArgsSchema,
    WebhookSchema,
    WebhookUpdateSchema,
    WebhookWithSecretSchema,
)
from api.services import webhooks

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="""\
Signed HTTP calls to partner sites when content changes (admins manage the endpoints).

Each call follows Standard Webhooks 1.0: a `POST` with the headers `webhook-id` (the same on
every retry of one event: use it to drop duplicates), `webhook-timestamp` (Unix seconds) and
`webhook-signature` (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the
endpoint's secret; two signatures during a secret rotation, either may match), and a JSON
body `{type, timestamp, data}`. Verify it over the raw body with any Standard Webhooks
library (`standardwebhooks`, `svix`). Answer 2xx within 10 s; anything else is retried with
growing delays for about three days. `410 Gone` disables the endpoint; five days without a
success disable it too, and its creator is emailed. Every `data` carries `updated_at`: keep
the newest and drop an older event that arrives late.""")

NOT_FOUND = "No webhook endpoint has this id."


@blp.route("/event-types")
class EventTypes(MethodView):
    @blp.doc(operationId="listWebhookEventTypes")
    @blp.auth_required(optional=True)
    @blp.arguments(EventTypeQueryArgsSchema, location="query")
    @blp.paginated(EventTypeSchema)
    def get(self, args):
        """List the event types, each with the JSON Schema of its `data`."""
        return webhooks.event_types(args)


@blp.route("")
class Webhooks(MethodView):
    @blp.doc(operationId="listWebhooks")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(WebhookQueryArgsSchema, location="query")
    @blp.paginated(WebhookSchema)
    def get(self, args):
        """List webhook endpoints, oldest first; filter by `active`."""
        return webhooks.list_endpoints(args)

    @blp.doc(operationId="createWebhook")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookWithSecretSchema, headers=LOCATION_HEADER_DOC)
    def post(self, data):
        """Register a webhook endpoint for some event types.

        The URL must be `https` and resolve to public addresses only (checked now and at
        every call; redirects are not followed). The answer holds the signing `secret`,
        shown this once.
        """
        endpoint = webhooks.create_endpoint(data, current_member())
        return endpoint, 201, {"Location": url_for("webhooks.WebhookById",
                                                   webhook_id=endpoint.id)}


@blp.route("/<uuid:webhook_id>")
class WebhookById(MethodView):
    @blp.doc(operationId="getWebhook")
    @blp.auth_required(Role.ADMIN)
    @blp.response(200, WebhookSchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, webhook_id):
        """Retrieve a webhook endpoint (never its secret)."""
        return webhooks.get_endpoint(webhook_id)

    @blp.doc(operationId="updateWebhook")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(WebhookUpdateSchema)
    @blp.response(200, WebhookSchema)
    @blp.problem(404, NOT_FOUND)
    def patch(self, data, webhook_id):
        """Update a webhook endpoint; `active: true` enables a disabled one again."""
        return webhooks.update_endpoint(webhook_id, data)

    @blp.doc(operationId="deleteWebhook")
    @blp.auth_required(Role.ADMIN)
    @blp.response(204)
    @blp.problem(404, NOT_FOUND)
    def delete(self, webhook_id):
        """Delete a webhook endpoint, its delivery log and what was still to be sent to it."""
        webhooks.delete_endpoint(webhook_id)


@blp.route("/<uuid:webhook_id>/rotate-secret")
class WebhookSecret(MethodView):
    @blp.doc(operationId="rotateWebhookSecret")
    @blp.auth_required(Role.ADMIN)
    @blp.response(200, WebhookWithSecretSchema)
    @blp.problem(404, NOT_FOUND)
    def post(self, webhook_id):
        """Replace the signing secret.

        The answer holds the new `secret`, shown this once. For 24 hours every call carries
        two signatures, one under each secret, so the receiver can switch at its own pace.
        """
        return webhooks.rotate_secret(webhook_id)


@blp.route("/<uuid:webhook_id>/test")
class WebhookTest(MethodView):
    @blp.doc(operationId="testWebhook")
    @blp.auth_required(Role.ADMIN)
    @blp.response(202, QueuedEventSchema)
    @blp.problem(404, NOT_FOUND)
    def post(self, webhook_id):
        """Send a `ping` event to the endpoint (even a disabled one); see its deliveries."""
        return webhooks.send_test(webhook_id)


@blp.route("/<uuid:webhook_id>/deliveries")
class WebhookDeliveries(MethodView):
    @blp.doc(operationId="listWebhookDeliveries")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(DeliveryQueryArgsSchema, location="query")
    @blp.paginated(DeliverySchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, args, webhook_id):
        """List the delivery attempts of the last 30 days, newest first.

        Each attempt shows the event (`event_id` is its `webhook-id`), the HTTP status (null
        when no answer came), how long it took, its number, an excerpt of the answer and
        when the event is tried next. Filter by `event`, `event_type` and `succeeded`.
        """
        return webhooks.list_deliveries(webhook_id, args)


@blp.route("/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver")
class WebhookRedelivery(MethodView):
    @blp.doc(operationId="redeliverWebhook")
    @blp.auth_required(Role.ADMIN)
    @blp.response(202, QueuedEventSchema)
    @blp.problem(404, "No webhook endpoint, or no delivery of it, has this id.")
    @blp.problem(409, "The endpoint is disabled.")
    def post(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID):
        """Send the event of a delivery again, with the same `webhook-id` (and retries)."""
        return webhooks.redeliver(webhook_id, delivery_id)
