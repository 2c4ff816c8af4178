"""The account emails: each in plain text and HTML, with links to the frontend."""

from html import escape
from urllib.parse import urlencode

from flask import current_app

from api.mail import send_mail

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
