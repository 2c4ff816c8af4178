"""The account emails: each in plain text and HTML, with links to the frontend."""

from html import escape
from urllib.parse import urlencode

from flask import current_app

from api.mail import send_mail

SIGNATURE = "The Community of International Science-Industry Parks (CISIP)"


def frontend_link(path, token):
    return f"{current_app.config['FRONTEND_URL']}/{path}?{urlencode({'token': token})}"


def _send(member_email, name, subject, paragraphs, link=None, link_text=None):
    text = "\n\n".join([f"Dear {name},", *paragraphs, *([link] if link else []), SIGNATURE])
    html_parts = [f"<p>Dear {escape(name)},</p>", *(f"<p>{escape(p)}</p>" for p in paragraphs)]
    if link:
        html_parts.append(f'<p><a href="{escape(link)}">{escape(link_text)}</a></p>')
    html_parts.append(f"<p>{escape(SIGNATURE)}</p>")
    send_mail(member_email, subject, text + "\n", "<html><body>" + "".join(html_parts)
              + "</body></html>")


def send_verification(member, token):
    _send(member.email, member.full_name, "Confirm your email address", [
        "Thank you for applying to join CISIP. Confirm your email address with the link "
        "below; an administrator will then review your application.",
    ], frontend_link("verify-email", token), "Confirm my email address")


def send_already_registered(member):
    _send(member.email, member.full_name, "Someone tried to register with your email", [
        "Someone (perhaps you) tried to register a CISIP account with this email address, "
        "which already has one. If it was you, log in or reset your password from the "
        "login page. If not, you can ignore this email.",
    ])


def send_reset(member, token, minutes):
    _send(member.email, member.full_name, "Reset your password", [
        f"Use the link below to choose a new password. It works once, within {minutes} "
        "minutes. If you did not ask for it, ignore this email: your password stays as it is.",
    ], frontend_link("reset-password", token), "Choose a new password")


def send_invitation(member, token):
    _send(member.email, member.full_name, "You are invited to CISIP", [
        "An administrator created a CISIP account for you. Choose your password with the "
        "link below to start using it.",
    ], frontend_link("reset-password", token), "Choose my password")


def send_approved(member):
    _send(member.email, member.full_name, "Your CISIP membership is approved", [
        "An administrator approved your application. You can now log in with your email "
        "address and the password you chose.",
    ], current_app.config["FRONTEND_URL"] + "/login", "Log in")


WEBHOOK_DISABLED_REASONS = {
    "gone": "it answered 410 Gone, which says it no longer wants our calls",
    "failing": "no delivery to it has succeeded for five days",
}


def send_webhook_disabled(member, url, reason):
    _send(member.email, member.full_name, "A CISIP webhook endpoint was disabled", [
        f"The webhook endpoint {url}, which you registered, was disabled because "
        f"{WEBHOOK_DISABLED_REASONS[reason]}. Events are no longer sent to it.",
        "When the receiver works again, enable the endpoint (PATCH /api/v1/webhooks/{id} "
        "with active: true) and redeliver what it missed from its delivery log.",
    ])
