"""The emails to members (accounts, event registrations): plain text and HTML, frontend links."""

from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import current_app

from api.mail import send_mail
from api.models import AttendanceMode, RegistrationStatus

SIGNATURE = "The Community of International Science-Industry Parks (CISIP)"


def frontend_link(path, token):
    return f"{current_app.config['FRONTEND_URL']}/{path}?{urlencode({'token': token})}"


def greeting(member):
    """`Dear <name>,` once the member's address is proven. Before that the address may be
    anyone's, so the email carries nothing the applicant wrote: no spoofed text can go out
    from the community's sender."""
    return f"Dear {member.full_name}," if member.email_verified_at else "Hello,"


def _send(member, subject, paragraphs, link=None, link_text=None):
    """Email `member` the paragraphs (fixed text) and a link, in plain text and HTML."""
    text = "\n\n".join([greeting(member), *paragraphs, *([link] if link else []), SIGNATURE])
    html_parts = [f"<p>{escape(greeting(member))}</p>",
                  *(f"<p>{escape(p)}</p>" for p in paragraphs)]
    if link:
        html_parts.append(f'<p><a href="{escape(link)}">{escape(link_text)}</a></p>')
    html_parts.append(f"<p>{escape(SIGNATURE)}</p>")
    send_mail(member.email, subject, text + "\n", "<html><body>" + "".join(html_parts)
              + "</body></html>")


def send_verification(member, token):
    _send(member, "Confirm your email address", [
        "Thank you for applying to join CISIP. Confirm your email address with the link "
        "below; an administrator will then review your application.",
    ], frontend_link("verify-email", token), "Confirm my email address")


def send_already_registered(member):
    _send(member, "Someone tried to register with your email", [
        "Someone (perhaps you) tried to register a CISIP account with this email address, "
        "which already has one. If it was you, log in or reset your password from the "
        "login page. If not, you can ignore this email.",
    ])


def send_reset(member, token, minutes):
    _send(member, "Reset your password", [
        f"Use the link below to choose a new password. It works once, within {minutes} "
        "minutes. If you did not ask for it, ignore this email: your password stays as it is.",
    ], frontend_link("reset-password", token), "Choose a new password")


def send_invitation(member, token):
    _send(member, "You are invited to CISIP", [
        "An administrator created a CISIP account for you. Choose your password with the "
        "link below to start using it.",
    ], frontend_link("reset-password", token), "Choose my password")


def send_approved(member):
    _send(member, "Your CISIP membership is approved", [
        "An administrator approved your application. You can now log in with your email "
        "address and the password you chose.",
    ], current_app.config["FRONTEND_URL"] + "/login", "Log in")


def event_page(slug):
    """An event's page on the frontend."""
    return f"{current_app.config['FRONTEND_URL']}/events/{slug}"


def _when(event):
    """`Tuesday 7 December 2021, 09:00 to 17:30 (Asia/Shanghai)`, on the clocks where it is held."""
    zone = ZoneInfo(event.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    day = f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}"
    if end.date() != start.date():
        return f"{day} to {end:%A} {end.day} {end:%B %Y}, {end:%H:%M} ({event.timezone})"
    return f"{day} to {end:%H:%M} ({event.timezone})"


def _how(registration):
    return "in person" if registration.mode is AttendanceMode.IN_PERSON else "online"


def send_registration_received(registration):
    """Your registration is confirmed, or you are on the waiting list."""
    event, member = registration.event, registration.member
    if registration.status is RegistrationStatus.CONFIRMED:
        subject = f"You are registered: {event.title}"
        lines = [f"Your registration to attend {event.title} {_how(registration)} is "
                 f"confirmed. It takes place {_when(event)}."]
    else:
        subject = f"You are on the waiting list: {event.title}"
        lines = [f"All places to attend {event.title} {_how(registration)} are taken, so you "
                 f"are number {registration.waitlist_position} on the waiting list. If a "
                 "place becomes free, it is yours and we will email you.",
                 f"The event takes place {_when(event)}."]
    lines.append("If you cannot come, cancel your registration so that someone else can "
                 "have your place.")
    _send(member, subject, lines, event_page(event.slug), "See the event")


def send_registration_promoted(registration):
    """A place became free: the waitlisted registration is confirmed."""
    event, member = registration.event, registration.member
    _send(member, f"A place is yours: {event.title}", [
        f"A place became free and your registration to attend {event.title} "
        f"{_how(registration)} is now confirmed. It takes place {_when(event)}.",
        "If you cannot come after all, cancel your registration so that the next person on "
        "the waiting list can have your place.",
    ], event_page(event.slug), "See the event")


def send_event_cancelled(registration):
    event, member = registration.event, registration.member
    _send(member, f"Cancelled: {event.title}", [
        f"We are sorry: {event.title}, which was to take place {_when(event)}, is cancelled. "
        "Your registration needs nothing more from you.",
    ], event_page(event.slug), "See the event")


WEBHOOK_DISABLED_REASONS = {
    "gone": "it answered 410 Gone, which says it no longer wants our calls",
    "failing": "no delivery to it has succeeded for five days",
}


def send_webhook_disabled(member, url, reason):
    _send(member, "A CISIP webhook endpoint was disabled", [
        f"The webhook endpoint {url}, which you registered, was disabled because "
        f"{WEBHOOK_DISABLED_REASONS[reason]}. Events are no longer sent to it.",
        "When the receiver works again, enable the endpoint (PATCH /api/v1/webhooks/{id} "
        "with active: true) and redeliver what it missed from its delivery log.",
    ])
