"""Media: images for covers and articles, uploaded by editors and served to everyone."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from api.auth import current_viewer
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.media import CONTENT_TYPES, MediaSchema, MediaUploadSchema
from api.services import media

blp = Blueprint("media", __name__, url_prefix="/api/v1/media",
                description="Images (JPEG, PNG, WebP, GIF) for covers and articles.")


@blp.route("")
class Media(MethodView):
    @blp.doc(operationId="uploadMedia")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(MediaUploadSchema, location="files", unknown=ma.RAISE)
    @blp.response(201, MediaSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(413, "The image is larger than the limit (MEDIA_MAX_BYTES).")
    def post(self, files):
        """Upload an image.

        Send `multipart/form-data` with the image in the `file` part. The type is read
        from the content (not the file name or the declared type); anything but a JPEG,
        PNG, WebP or GIF image gives 422 with `errors.files`. The answer's `url` (also
        the `Location`) serves the image publicly.
        """
        item = media.upload_media(files["file"], current_viewer().member)
        url = url_for("media.MediaById", media_id=item.id, _external=True)
        return {**_fields(item), "url": url}, 201, {"Location": url}


@blp.route("/<uuid:media_id>")
class MediaById(MethodView):
    @blp.doc(operationId="getMedia")
    @blp.file_response(200, CONTENT_TYPES, "The image, in its own content type; cacheable "
                       "for a year (`immutable`), with an `ETag`.")
    @blp.problem(404, "No image has this id.")
    def get(self, media_id):
        """Retrieve an uploaded image.

        Public, at the `url` its upload answered. Cacheable for a year (`immutable`); it
        answers an `ETag`, and 304 to `If-None-Match`.
        """
        return media.media_response(media_id)


def _fields(item):
    return {name: getattr(item, name) for name in
            ("id", "content_type", "size", "width", "height", "created_at")}
