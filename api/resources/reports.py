"""Reports: the community's publications, their PDF files and who downloaded them."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from api.auth import current_viewer
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.report import (
    DownloadLinkSchema,
    DownloadQueryArgsSchema,
    ReportCreateBodySchema,
    ReportCreateFileSchema,
    ReportCreateSchema,
    ReportDownloadArgsSchema,
    ReportDownloadSchema,
    ReportFileUploadSchema,
    ReportQueryArgsSchema,
    ReportSchema,
    ReportUpdateSchema,
)
from api.services import reports
from api.translations import LanguageArgsSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Reports the community publishes, as PDF files; members-only "
                "ones need a login to download.")

NOT_FOUND = "No visible report has this id or slug."
DOWNLOAD_HEADERS = {
    "Content-Disposition": {"description": "`attachment`, with the file's name.",
                            "schema": {"type": "string"}},
    "ETag": {"description": "The file's SHA-256; send it in `If-None-Match` or `If-Range`.",
             "schema": {"type": "string"}},
    "Accept-Ranges": {"description": "`bytes`: a download can be resumed with `Range`.",
                      "schema": {"type": "string"}},
}
PARTIAL_HEADERS = DOWNLOAD_HEADERS | {
    "Content-Range": {"description": "Which bytes of the file this is.",
                      "schema": {"type": "string", "example": "bytes 0-1023/40960"}},
}


@blp.route("")
class Reports(MethodView):
    @blp.doc(operationId="listReports")
    @blp.auth_required(optional=True)
    @blp.arguments(ReportQueryArgsSchema, location="query")
    @blp.cached("reports")
    @blp.paginated(ReportSchema)
    def get(self, args):
        """List reports.

        Filter by words (`q`, full-text search over title, summary and translations),
        `year`, `park` (id or slug) and `access` (`public` or `members`); sort by
        `published_at` (default, newest first), `year` or `title`. Editors also see
        unpublished reports. Text fields come in the language of `lang` or
        `Accept-Language` when translated.
        """
        return reports.list_reports(args, current_viewer())

    @blp.doc(operationId="createReport")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportCreateSchema, location="form")
    @blp.arguments(ReportCreateFileSchema, location="files", unknown=ma.RAISE)
    @blp.doc(requestBody={"required": True, "content": {
        "multipart/form-data": {"schema": ReportCreateBodySchema}}})
    @blp.response(201, ReportSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(409, "The slug is already taken.")
    @blp.problem(413, "The file is larger than the limit (REPORT_MAX_BYTES).")
    def post(self, data, files):
        """Create a report, with its PDF.

        Send `multipart/form-data`: the PDF in the `file` part and the other fields as
        form fields. Give `park_ids` as repeated fields or as one comma-separated field,
        and `translations` as one JSON-encoded field (`{"zh": {"title": "…"}}`).
        `access` defaults to `members`; without `published_at` the report is a draft.
        A file that is not a PDF (whatever its name or declared type) gives 422 with
        `errors.files`.
        """
        report = reports.create_report(data, files.get("file"))
        return report, 201, {"Location": url_for("reports.ReportByRef", ref=report.slug)}


@blp.route("/<ref>")
class ReportByRef(MethodView):
    @blp.doc(operationId="getReport")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("report")
    @blp.response(200, ReportSchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """Retrieve a report by id or slug.

        Text fields come in the language of `lang` or `Accept-Language` when translated;
        `news` lists the news items about the report that the caller may read.
        """
        return reports.show_report(ref, current_viewer())

    @blp.doc(operationId="updateReport")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportUpdateSchema)
    @blp.response(200, ReportSchema)
    @blp.problem(404, NOT_FOUND)
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update a report's details (JSON); only the fields sent change.

        Replace the file with `PUT /reports/{ref}/file`.
        """
        return reports.update_report(ref, data, current_viewer())

    @blp.doc(operationId="deleteReport")
    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, NOT_FOUND)
    def delete(self, ref):
        """Delete a report and its file.

        Its download records go with it; news items about it stay, without it.
        """
        reports.delete_report(ref, current_viewer())


@blp.route("/<ref>/file")
class ReportFile(MethodView):
    @blp.doc(operationId="replaceReportFile")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportFileUploadSchema, location="files", unknown=ma.RAISE)
    @blp.response(200, ReportSchema)
    @blp.problem(404, NOT_FOUND)
    @blp.problem(413, "The file is larger than the limit (REPORT_MAX_BYTES).")
    def put(self, files, ref):
        """Replace a report's PDF; the old file is deleted.

        Send `multipart/form-data` with the PDF in the `file` part. A file that is not a
        PDF (by its content) gives 422 with `errors.files`. The new `file.sha256` is also
        the download's new ETag.
        """
        return reports.replace_file(ref, files["file"], current_viewer())


@blp.route("/<ref>/download")
class ReportDownload(MethodView):
    @blp.doc(operationId="downloadReport")
    @blp.auth_required(optional=True)
    @blp.arguments(DownloadQueryArgsSchema, location="query")
    @blp.file_response(200, ["application/pdf"], "The PDF, as an attachment.",
                       headers=DOWNLOAD_HEADERS)
    @blp.file_response(206, ["application/pdf"], "The requested byte range (`Range: bytes=…`).",
                       headers=PARTIAL_HEADERS)
    @blp.problem(401, "The report is for members: log in, or use a download link.")
    @blp.problem(403, "The download link is invalid (`link_invalid`) or expired "
                 "(`link_expired`).")
    @blp.problem(404, NOT_FOUND + " Or it has no file yet.")
    @blp.problem(416, "The requested range is outside the file.")
    @blp.problem(429, "The member's daily download limit is reached (see `Retry-After`); "
                 "no bytes are sent.")
    def get(self, args, ref):
        """Download a report's PDF.

        Public reports are open to all; `members` reports need a member's login, or a
        signed `link` from `POST /reports/{ref}/download-link` (no Authorization header
        needed then). Supports `Range` (and `If-Range`) for resuming, and `If-None-Match`.

        Every request that sends bytes of a `members` report, whatever its range, needs the
        same rights and counts against the same quota. A member's requests for one report
        on one UTC day are one download, in as many ranges as it takes: the first of them,
        from any byte, counts against the member's daily quota of reports
        (`REPORT_DAILY_DOWNLOAD_QUOTA`; past it, 429 `rate_limited` with `Retry-After` and
        no bytes) and is recorded (who, when, from where; editors read it at
        `/reports/{ref}/downloads`); the day's later requests continue it, even once the
        quota is reached. A download resumed on a later day is a new one. `HEAD` and 304
        answers send no bytes and count nothing. `download_count` counts the requests that
        start at the first byte.
        """
        return reports.download_response(ref, current_viewer(), args.get("link"))


@blp.route("/<ref>/download-link")
class ReportDownloadLink(MethodView):
    @blp.doc(operationId="createReportDownloadLink")
    @blp.auth_required(optional=True)
    @blp.response(200, DownloadLinkSchema)
    @blp.problem(401, "The report is for members: log in first.")
    @blp.problem(404, NOT_FOUND + " Or it has no file yet.")
    @blp.problem(429, "The member's daily download limit is reached (see `Retry-After`).")
    def post(self, ref):
        """Get a signed, short-lived download link.

        The `url` downloads the file for the caller without an Authorization header
        (for a browser or a download manager) until `expires_at` (10 minutes by
        default). It carries no login token. Downloads through it count and are recorded
        as the caller's own; for a `members` report the answer is 429 once the daily quota
        is reached, unless the caller already downloaded this report today.
        """
        link = reports.create_download_link(ref, current_viewer())
        return link, 200, {"Cache-Control": "private, no-store"}


@blp.route("/<ref>/downloads")
class ReportDownloads(MethodView):
    @blp.doc(operationId="listReportDownloads")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportDownloadArgsSchema, location="query")
    @blp.paginated(ReportDownloadSchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, args, ref):
        """List the recorded downloads of a members-only report (newest first).

        Each says who (`member`, null once their account is deleted), when, from which
        address and user agent, and whether through a signed link.
        """
        return reports.list_downloads(ref, args, current_viewer())
