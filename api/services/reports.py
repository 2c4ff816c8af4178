"""Reports: the catalogue, PDF files, downloads (direct and by signed link) and their record."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import cast

from flask import current_app, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Table, exists, func, insert, literal, select, update
from sqlalchemy.orm import selectinload

from api.errors import APIError, Forbidden, NotFound, Unauthorized
from api.extensions import db
from api.models import Access, Member, MemberStatus, Park, Report, ReportDownload
from api.models.base import utcnow
from api.pagination import paginate
from api.refs import assign_slug, get_or_404, ref_filter
from api.services import webhooks
from api.services.events import event_visibility
from api.services.news import news_visibility
from api.services.publication import published_now
from api.services.search import matching_ids
from api.services.uploads import check_pdf, measure
from api.serving import requested_range, stored_file_response
from api.storage import discard_on_error, get_storage, new_key
from api.translations import apply_translations
from api.viewer import Viewer

DOWNLOADS = cast(Table, ReportDownload.__table__)
SORT_COLUMNS = {"published_at": Report.published_at, "year": Report.year, "title": Report.title}
LINK_SALT = "report-download-link"
PDF = "application/pdf"


def visible_reports(viewer):
    """Reports the caller may see: editors all, everyone else the published ones."""
    stmt = select(Report).options(selectinload(Report.parks))
    if not viewer.sees_unpublished:
        stmt = stmt.where(published_now(Report.published_at))
    return stmt


def with_news(stmt, viewer):
    """`stmt` loading each report's news and events, only those the caller may read."""
    visibility = news_visibility(viewer)
    news = Report.news.and_(*visibility) if visibility else Report.news
    events = event_visibility(viewer)
    return stmt.options(selectinload(news), selectinload(
        Report.events.and_(*events) if events else Report.events))


def list_reports(args, viewer):
    stmt = with_news(visible_reports(viewer), viewer)
    if "q" in args:
        stmt = stmt.where(Report.id.in_(matching_ids(Report.SEARCH_TYPE, args["q"])))
    if "year" in args:
        stmt = stmt.where(Report.year == args["year"])
    if "access" in args:
        stmt = stmt.where(Report.access == Access(args["access"]))
    if "park" in args:
        stmt = stmt.where(Report.parks.any(ref_filter(Park, args["park"])))
    return paginate(db.session, stmt, args, SORT_COLUMNS)


def get_report(ref, viewer):
    return get_or_404(Report, ref, visible_reports(viewer))


def show_report(ref, viewer):
    """The report as its single view shows it, with the news the caller may read."""
    return get_or_404(Report, ref, with_news(visible_reports(viewer), viewer))


def create_report(data, upload=None):
    report = Report(access=Access.MEMBERS)
    _apply(report, data, location="form")
    stored = _store_pdf(report, upload) if upload is not None else None
    with discard_on_error(stored), db.transaction():
        assign_slug(report, data.get("slug"), source=report.title)
        db.session.add(report)
        webhooks.announce(report)
    return report


def update_report(ref, data, viewer):
    report = get_report(ref, viewer)
    before = webhooks.snapshot(report)
    _apply(report, data, location="json")
    with db.transaction():
        if "slug" in data:
            assign_slug(report, data["slug"])
        webhooks.announce(report, before)
    return report


def replace_file(ref, upload, viewer):
    report = get_report(ref, viewer)
    old_key = report.file_key
    with discard_on_error(_store_pdf(report, upload)), db.transaction():
        db.session.add(report)
    if old_key:
        get_storage().delete(old_key)
    return report


def delete_report(ref, viewer):
    report = get_report(ref, viewer)
    key = report.file_key
    before = webhooks.snapshot(report)
    with db.transaction():
        db.session.delete(report)
        webhooks.announce_deletion(report, before)
    if key:
        get_storage().delete(key)


def _apply(report, data, location):
    for field, value in data.items():
        if field == "park_ids":
            report.parks = _parks(value, location)
        elif field == "access":
            report.access = Access(value)
        elif field == "translations":
            apply_translations(report, value)
        elif field != "slug":
            setattr(report, field, value)


def _parks(ids, location):
    parks = db.session.scalars(select(Park).where(Park.id.in_(ids))).all()
    unknown = set(ids) - {park.id for park in parks}
    if unknown:
        raise APIError("The request body is invalid.", status=422,
                       errors={location: {"park_ids": [f"No park with id {park_id}."
                                                       for park_id in sorted(map(str, unknown))]}})
    return sorted(parks, key=lambda park: park.name)


def _store_pdf(report, upload):
    """Check and store the uploaded PDF, pointing `report` at it; answer the new key."""
    size, sha256 = measure(upload, current_app.config["REPORT_MAX_BYTES"])
    check_pdf(upload.stream, size)
    key = new_key("reports", "pdf")
    get_storage().save(key, upload.stream, PDF)
    report.file_key, report.file_size, report.file_sha256 = key, size, sha256
    report.file_content_type = PDF
    report.file_name = _file_name(upload.filename, report)
    return key


def _file_name(given, report):
    """The client's file name without any folder or control characters, ending in .pdf."""
    name = PurePosixPath((given or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:200]
    if not name:
        name = f"{report.slug or 'report'}.pdf"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


# Downloads


def download_response(ref, viewer, link=None):
    """Stream the report's file to whoever may have it, counting and recording the download."""
    if link is not None:
        report, member = _follow_link(ref, link)
    else:
        member = viewer.member
        report = get_report(ref, viewer)
        _check_access(report, member)
    if report.file_key is None:
        raise NotFound("This report has no file yet.")
    byte_range = requested_range(report.file_size, report.file_sha256)
    if _carries_bytes(report):
        _account_download(report, member, byte_range, via_link=link is not None)
    private = report.access is Access.MEMBERS
    return stored_file_response(
        report.file_key, size=report.file_size, content_type=report.file_content_type,
        etag=report.file_sha256, filename=report.file_name, byte_range=byte_range,
        cache_control="private, no-store" if private else "no-cache")


def _check_access(report, member):
    if report.access is Access.MEMBERS and member is None:
        raise Unauthorized("Log in as a member to download this report.", code="token_missing",
                           headers={"WWW-Authenticate": "Bearer"})


def _carries_bytes(report):
    """A GET answered with (some of) the file; HEAD and 304 answers carry none of it."""
    return request.method != "HEAD" and not request.if_none_match.contains(report.file_sha256)


def _account_download(report, member, byte_range, via_link):
    """Govern a request that serves bytes of the file, whatever range it asks for.

    A members-only report is downloaded once per member, report and UTC day, in as many
    ranges as it takes: the day's first request, from any byte, is checked against the daily
    quota (429, and no bytes, past it) and recorded; the day's later requests continue it.
    `download_count` counts the requests that start at the first byte.
    """
    with db.transaction():
        if report.access is Access.MEMBERS and member is not None:
            # PostgreSQL: one member's downloads are counted one after the other, so the
            # quota holds exactly.
            db.session.execute(select(Member.id).where(Member.id == member.id)
                               .with_for_update())
            _check_quota(member, report)
            _record_download(report, member, via_link)
        if byte_range is None or byte_range[0] == 0:
            # One atomic UPDATE: concurrent downloads never lose a count.
            db.session.execute(update(Report).where(Report.id == report.id)
                               .values(download_count=Report.download_count + 1)
                               .execution_options(synchronize_session=False))


def _midnight():
    """The start of the current UTC day."""
    now = utcnow()
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def _today(member):
    """The member's download records of the current UTC day."""
    return (ReportDownload.member_id == member.id, ReportDownload.downloaded_at >= _midnight())


def _same_download(member, report):
    """Whether the member has downloaded the report today (a clause)."""
    return exists().where(*_today(member), ReportDownload.report_id == report.id)


def _record_download(report, member, via_link):
    """Record the member's download of the report today, unless it is recorded already,
    even by a concurrent request: the insert and its check are one statement."""
    values = {"id": uuid.uuid4(), "report_id": report.id, "member_id": member.id,
              "downloaded_at": utcnow(), "via_link": via_link, "ip": request.remote_addr,
              "user_agent": request.user_agent.string[:300] or None}
    row = select(*(literal(value, DOWNLOADS.c[name].type) for name, value in values.items()))
    db.session.execute(insert(DOWNLOADS).from_select(
        list(values), row.where(~_same_download(member, report))))


def _check_quota(member, report):
    """429 when downloading `report` would take the member past REPORT_DAILY_DOWNLOAD_QUOTA
    reports today (UTC); a report they already downloaded today never does."""
    if db.session.scalar(select(_same_download(member, report))):
        return
    used = db.session.scalar(select(func.count(ReportDownload.report_id.distinct()))
                             .where(*_today(member)))
    quota = current_app.config["REPORT_DAILY_DOWNLOAD_QUOTA"]
    if used >= quota:
        retry = int((_midnight() + timedelta(days=1) - utcnow()).total_seconds()) + 1
        raise APIError(f"The daily limit of {quota} report downloads is reached; try again "
                       "tomorrow (UTC).", status=429, code="rate_limited",
                       headers={"Retry-After": str(retry)})


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def create_download_link(ref, viewer):
    """A signed URL to the report's file, for the caller, valid DOWNLOAD_LINK_SECONDS."""
    member = viewer.member
    report = get_report(ref, viewer)
    _check_access(report, member)
    if report.file_key is None:
        raise NotFound("This report has no file yet.")
    if report.access is Access.MEMBERS:
        _check_quota(member, report)
    token = _serializer().dumps({"r": str(report.id), "m": str(member.id) if member else None})
    seconds = current_app.config["DOWNLOAD_LINK_SECONDS"]
    url = url_for("reports.ReportDownload", ref=str(report.id), link=token, _external=True)
    return {"url": url, "expires_at": utcnow() + timedelta(seconds=seconds)}


def _follow_link(ref, token):
    """The report and member a signed link was made for; 403 when it is not valid."""
    try:
        payload = _serializer().loads(token, max_age=current_app.config["DOWNLOAD_LINK_SECONDS"])
    except SignatureExpired as error:
        raise Forbidden("This download link has expired; ask for a new one.",
                        code="link_expired") from error
    except BadSignature as error:
        raise Forbidden("This download link is not valid.", code="link_invalid") from error
    member = None
    if payload.get("m"):
        member = db.session.get(Member, uuid.UUID(payload["m"]))
        if member is None or member.status is not MemberStatus.ACTIVE:
            raise Forbidden("This download link is not valid.", code="link_invalid")
    report = get_report(ref, Viewer(member.id, member.role) if member else Viewer())
    if str(report.id) != payload.get("r"):
        raise Forbidden("This download link is for another report.", code="link_invalid")
    _check_access(report, member)
    return report, member


def list_downloads(ref, args, viewer):
    report = get_report(ref, viewer)
    stmt = select(ReportDownload).where(ReportDownload.report_id == report.id)
    return paginate(db.session, stmt, args, {"downloaded_at": ReportDownload.downloaded_at})
