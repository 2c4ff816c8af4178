"""Media: storing uploaded images and serving them back."""

from flask import current_app

from api.extensions import db
from api.models import Media
from api.refs import get_or_404
from api.services.uploads import inspect_image, measure
from api.serving import stored_file_response
from api.storage import discard_on_error, get_storage, new_key

# Stored media never change (a new upload is a new id), so caches may keep them for good.
IMMUTABLE = "public, max-age=31536000, immutable"


def upload_media(upload, uploader):
    size, sha256 = measure(upload, current_app.config["MEDIA_MAX_BYTES"])
    content_type, extension, width, height = inspect_image(upload.stream)
    key = new_key("media", extension)
    get_storage().save(key, upload.stream, content_type)
    media = Media(storage_key=key, content_type=content_type, size=size, width=width,
                  height=height, sha256=sha256, uploaded_by_id=uploader.id)
    with discard_on_error(key), db.transaction():
        db.session.add(media)
    return media


def media_response(media_id):
    media = get_or_404(Media, str(media_id))
    return stored_file_response(media.storage_key, size=media.size,
                                content_type=media.content_type, etag=media.sha256,
                                cache_control=IMMUTABLE)
