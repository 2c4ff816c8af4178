"""Speakers: the people who took part in the community's forums and events."""

from flask import url_for
from flask.views import MethodView

from api.auth import current_member
from api.blueprint import Blueprint
from api.http_cache import cached
from api.models import Role
from api.schemas.speaker import (
    SpeakerCreateSchema,
    SpeakerDetailSchema,
    SpeakerQueryArgsSchema,
    SpeakerSchema,
    SpeakerUpdateSchema,
)
from api.services import events, news, speakers
from api.translations import LanguageArgsSchema

blp = Blueprint("speakers", __name__, url_prefix="/api/v1/speakers",
                description="Speakers of the community's forums and events.")


@blp.route("")
class Speakers(MethodView):
    @blp.arguments(SpeakerQueryArgsSchema, location="query")
    @cached("speakers", lists=("speakers",))
    @blp.paginated(SpeakerSchema)
    def get(self, args):
        """List speakers.

        Filter by words (`q`, full-text), `country`, `organization` (case-insensitive) and
        `park` (id or slug); sort by `name` (default) or `created_at`.
        """
        return speakers.list_speakers(args)

    @blp.auth_required(Role.EDITOR)
    @blp.arguments(SpeakerCreateSchema)
    @blp.response(201, SpeakerSchema)
    @blp.problem(409, "The slug is already taken.")
    def post(self, data):
        """Create a speaker."""
        speaker = speakers.create_speaker(data)
        return speaker, 201, {"Location": url_for("speakers.SpeakerByRef", ref=speaker.slug)}


@blp.route("/<ref>")
class SpeakerByRef(MethodView):
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    # Its appearances can change with any news or event write (one published, say).
    @cached("speakers", lists=("news", "events"))
    @blp.response(200, SpeakerDetailSchema)
    @blp.problem(404, "No speaker has this id or slug.")
    def get(self, _args, ref):
        """Retrieve a speaker by id or slug, with the news and event sessions they appear in."""
        return speakers.get_speaker_with_appearances(
            ref, news.news_visibility(), events.event_visibility(current_member()))

    @blp.auth_required(Role.EDITOR)
    @blp.arguments(SpeakerUpdateSchema)
    @blp.response(200, SpeakerSchema)
    @blp.problem(404, "No speaker has this id or slug.")
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update a speaker; only the fields sent change."""
        return speakers.update_speaker(ref, data)

    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, "No speaker has this id or slug.")
    def delete(self, ref):
        """Delete a speaker; the news they appeared in stay, without them."""
        speakers.delete_speaker(ref)
