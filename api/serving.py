"""HTTP answers that stream stored files, with ETag, byte ranges and a safe file name."""

import unicodedata
from urllib.parse import quote

from flask import Response, request

from api.errors import APIError
from api.storage import get_storage


def content_disposition(filename):
    """`attachment` with an ASCII fallback and the exact name in RFC 6266 `filename*`."""
    cleaned = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C")
    ascii_name = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    ascii_name = "".join(ch for ch in ascii_name if ch not in '"\\/;') or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def requested_range(size, etag):
    """The (start, end) asked for by a `Range` header, or None for the whole file.

    Raises 416 when the range cannot be served. An `If-Range` that does not match the
    current ETag asks for the whole file.
    """
    if "Range" not in request.headers:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != f'"{etag}"':
        return None
    parsed = request.range
    byte_range = parsed.range_for_length(size) if parsed is not None else None
    if parsed is None or byte_range is None or len(parsed.ranges) != 1:
        raise APIError("The requested range cannot be served.", status=416,
                       code="range_not_satisfiable", headers={"Content-Range": f"bytes */{size}"})
    return byte_range


def stored_file_response(key, *, size, content_type, etag, cache_control, filename=None,
                         byte_range=None):
    """Stream the stored object `key` (all of it, or `byte_range`) as a response."""
    headers = {"ETag": f'"{etag}"', "Accept-Ranges": "bytes", "Cache-Control": cache_control,
               "X-Content-Type-Options": "nosniff"}
    if filename is not None:
        headers["Content-Disposition"] = content_disposition(filename)
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    start, end, status = 0, size, 200
    if byte_range is not None:
        (start, end), status = byte_range, 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    body = [] if request.method == "HEAD" else get_storage().open(key, start, end)
    response = Response(body, status=status, headers=headers, mimetype=content_type,
                        direct_passthrough=True)
    response.headers["Content-Length"] = str(end - start)
    return response
