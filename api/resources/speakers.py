"""Speakers: the people who took part in the community's forums and events."""

from flask import url_for
from flask.views import MethodView

from api.auth import current_viewer
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
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
    @blp.doc(operationId="listSpeakers")
    @blp.auth_required(optional=True)
    @blp.arguments(SpeakerQueryArgsSchema, location="query")
    @blp.cached("speakers")
    @blp.paginated(SpeakerSchema)
    def get(self, args):
        """List speakers.

        Filter by words (`q`, full-text), `country`, `organization` (case-insensitive) and
        `park` (id or slug); sort by `name` (default) or `created_at`.
        """
        return speakers.list_speakers(args)

    @blp.doc(operationId="createSpeaker")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(SpeakerCreateSchema)
    @blp.response(201, SpeakerSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(409, "The slug is already taken.")
    def post(self, data):
        """Create a speaker.

        Without a `slug`, one is made from the name (and made unique); an explicit `slug`
        that is taken gives 409. Link their park with `park_id`.
        """
        speaker = speakers.create_speaker(data)
        return speaker, 201, {"Location": url_for("speakers.SpeakerByRef", ref=speaker.slug)}


@blp.route("/<ref>")
class SpeakerByRef(MethodView):
    @blp.doc(operationId="getSpeaker")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("speaker")
    @blp.response(200, SpeakerDetailSchema)
    @blp.problem(404, "No speaker has this id or slug.")
    def get(self, _args, ref):
        """Retrieve a speaker by id or slug, with the news and event sessions they appear in.

        `appearances` lists those news items and sessions with the speaker's role and talk
        title, newest first (published ones only, unless the caller is an editor). Text
        fields come in the language of `lang` or `Accept-Language` when translated.
        """
        viewer = current_viewer()
        return speakers.get_speaker_with_appearances(
            ref, news.news_visibility(viewer), events.event_visibility(viewer))

    @blp.doc(operationId="updateSpeaker")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(SpeakerUpdateSchema)
    @blp.response(200, SpeakerSchema)
    @blp.problem(404, "No speaker has this id or slug.")
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update a speaker; only the fields sent change.

        `translations` merge by language and field (null removes one). A `slug` that
        another speaker has gives 409.
        """
        return speakers.update_speaker(ref, data)

    @blp.doc(operationId="deleteSpeaker")
    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, "No speaker has this id or slug.")
    def delete(self, ref):
        """Delete a speaker.

        The news items they appeared in stay, without them.
        """
        speakers.delete_speaker(ref)
