"""Reports: the community's publications, their PDF files and who downloaded them."""

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from api.blueprint import Blueprint
from api.http_cache import cached
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


@blp.route("")
class Reports(MethodView):
    @blp.auth_required(optional=True)
    @blp.arguments(ReportQueryArgsSchema, location="query")
    @cached("reports", lists=("reports", "news", "events"))
    @blp.paginated(ReportSchema)
    def get(self, args):
        """List reports.

        Filter by words (`q`, full-text search over title, summary and translations),
        `year`, `park` (id or slug) and `access` (`public` or `members`); sort by
        `published_at` (default, newest first), `year` or `title`. Editors also see
        unpublished reports. Text fields come in the language of `lang` or
        `Accept-Language` when translated.
        """
        return reports.list_reports(args)

    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportCreateSchema, location="form")
    @blp.arguments(ReportCreateFileSchema, location="files", unknown=ma.RAISE)
    @blp.doc(requestBody={"required": True, "content": {
        "multipart/form-data": {"schema": ReportCreateBodySchema}}})
    @blp.response(201, ReportSchema)
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
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @cached("reports", lists=("news", "events"))
    @blp.response(200, ReportSchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, _args, ref):
        """Retrieve a report by id or slug.

        Text fields come in the language of `lang` or `Accept-Language` when translated;
        `news` lists the news items about the report that the caller may read.
        """
        return reports.show_report(ref)

    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportUpdateSchema)
    @blp.response(200, ReportSchema)
    @blp.problem(404, NOT_FOUND)
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update a report's details (JSON); only the fields sent change.

        Replace the file with `PUT /reports/{ref}/file`.
        """
        return reports.update_report(ref, data)

    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, NOT_FOUND)
    def delete(self, ref):
        """Delete a report and its file."""
        reports.delete_report(ref)


@blp.route("/<ref>/file")
class ReportFile(MethodView):
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportFileUploadSchema, location="files", unknown=ma.RAISE)
    @blp.response(200, ReportSchema)
    @blp.problem(404, NOT_FOUND)
    @blp.problem(413, "The file is larger than the limit (REPORT_MAX_BYTES).")
    def put(self, files, ref):
        """Replace a report's PDF (multipart `file` part); the old file is deleted."""
        return reports.replace_file(ref, files["file"])


@blp.route("/<ref>/download")
class ReportDownload(MethodView):
    @blp.auth_required(optional=True)
    @blp.arguments(DownloadQueryArgsSchema, location="query")
    @blp.response(200, description="The PDF, as an attachment, with `Content-Length`, "
                  "`ETag` and `Accept-Ranges: bytes`.", content_type="application/pdf")
    @blp.alt_response(206, description="The requested byte range (`Range: bytes=…`).",
                      content_type="application/pdf")
    @blp.problem(401, "The report is for members: log in, or use a download link.")
    @blp.problem(403, "The download link is invalid (`link_invalid`) or expired "
                 "(`link_expired`).")
    @blp.problem(404, NOT_FOUND + " Or it has no file yet.")
    @blp.problem(416, "The requested range is outside the file.")
    @blp.problem(429, "The member's daily download limit is reached (see `Retry-After`).")
    def get(self, args, ref):
        """Download a report's PDF.

        Public reports are open to all; `members` reports need a member's login, or a
        signed `link` from `POST /reports/{ref}/download-link` (no Authorization header
        needed then). Supports `Range` (and `If-Range`) for resuming, and `If-None-Match`.
        Each download that starts at the first byte counts in `download_count`; every
        download of a `members` report is recorded, and counts against the member's
        daily quota.
        """
        return reports.download_response(ref, args.get("link"))


@blp.route("/<ref>/download-link")
class ReportDownloadLink(MethodView):
    @blp.auth_required(optional=True)
    @blp.response(200, DownloadLinkSchema)
    @blp.problem(401, "The report is for members: log in first.")
    @blp.problem(404, NOT_FOUND + " Or it has no file yet.")
    @blp.problem(429, "The member's daily download limit is reached (see `Retry-After`).")
    def post(self, ref):
        """Get a signed, short-lived download link.

        The `url` downloads the file for the caller without an Authorization header
        (for a browser or a download manager) until `expires_at` (10 minutes by
        default). It carries no login token.
        """
        return reports.create_download_link(ref), 200, {"Cache-Control": "private, no-store"}


@blp.route("/<ref>/downloads")
class ReportDownloads(MethodView):
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ReportDownloadArgsSchema, location="query")
    @blp.paginated(ReportDownloadSchema)
    @blp.problem(404, NOT_FOUND)
    def get(self, args, ref):
        """List the recorded downloads of a members-only report (newest first)."""
        return reports.list_downloads(ref, args)
