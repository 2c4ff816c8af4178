"""Checks on uploaded files: size limits, and what the content really is (not its name)."""

import hashlib
import warnings

from PIL import Image, UnidentifiedImageError

from api.errors import APIError

IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
               "WEBP": ("image/webp", "webp"), "GIF": ("image/gif", "gif")}
MAX_IMAGE_PIXELS = 50_000_000
PDF_TAIL_BYTES = 2048


def rejected(message, field="file"):
    """The 422 for an uploaded file whose content the endpoint does not take."""
    return APIError("The uploaded file is not accepted.", status=422, code="validation_error",
                    errors={"files": {field: [message]}})


def measure(upload, limit):
    """Answer (size, sha256 hex) of the upload, rewound; 413 above `limit` bytes."""
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    if size > limit:
        raise APIError(f"The file is larger than the limit of {limit} bytes.", status=413,
                       errors={"files": {"file": [f"At most {limit} bytes."]}})
    if size == 0:
        raise rejected("The file is empty.")
    stream.seek(0)
    digest = hashlib.sha256()
    while data := stream.read(64 * 1024):
        digest.update(data)
    stream.seek(0)
    return size, digest.hexdigest()


def inspect_image(stream):
    """Answer (content type, extension, width, height) of a JPEG, PNG, WebP or GIF image."""
    message = "Not a JPEG, PNG, WebP or GIF image."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                kind, (width, height) = image.format, image.size
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombWarning,
            Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise rejected(message) from error
    finally:
        stream.seek(0)
    if kind not in IMAGE_TYPES:
        raise rejected(message)
    if width * height > MAX_IMAGE_PIXELS:
        raise rejected(f"The image has more than {MAX_IMAGE_PIXELS} pixels.")
    content_type, extension = IMAGE_TYPES[kind]
    return content_type, extension, width, height


def check_pdf(stream, size):
    """Accept a PDF: a `%PDF-` header, and `startxref` and `%%EOF` near its end."""
    head = stream.read(8)
    stream.seek(max(0, size - PDF_TAIL_BYTES))
    tail = stream.read(PDF_TAIL_BYTES)
    stream.seek(0)
    if not (head.startswith(b"%PDF-") and head[5:6].isdigit()):
        raise rejected("Not a PDF document.")
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise rejected("The PDF document is incomplete (no trailer).")
