"""Auth: register, log in, tokens (Bearer or cookies), sessions, passwords and the own profile."""

import time

from flask import current_app, jsonify, make_response, request
from flask.views import MethodView
from flask_jwt_extended import (
    decode_token,
    get_jwt,
    get_jwt_request_location,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)

from api.auth import current_member, current_session_id
from api.blueprint import Blueprint
from api.schemas.auth import (
    CookieTokensSchema,
    LoginSchema,
    MessageSchema,
    PasswordChangeSchema,
    PasswordForgotSchema,
    PasswordResetSchema,
    RegisterSchema,
    SessionQueryArgsSchema,
    SessionSchema,
    TokenPairSchema,
    TokenSchema,
)
from api.schemas.member import ProfileSchema, ProfileUpdateSchema
from api.services import accounts
from api.services import auth as auth_service

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Registration, logging in, tokens, sessions, passwords and the "
                "member's own profile.")

REGISTERED = {"detail": "Thank you. If the address can receive our email, a message with "
              "the next step is on its way."}
# Login and refresh answer tokens in the body, or (cookies asked for) only their lifetime.
TOKENS = blp.doc(responses={200: {
    "description": "The token pair; with cookies, only the access token's lifetime.",
    "content": {"application/json": {"schema": {
        "oneOf": [TokenPairSchema, CookieTokensSchema]}}}}})
RESET_REQUESTED = {"detail": "If an active account has this email, a link to choose a new "
                   "password is on its way."}


def answer_tokens(pair, use_cookies):
    """The token pair in the body, or (browser SPAs) in httpOnly cookies with CSRF cookies,
    each living as long as its token."""
    if not use_cookies or "cookies" not in current_app.config["JWT_TOKEN_LOCATION"]:
        return pair
    response = jsonify({"token_type": "Cookie", "expires_in": pair["expires_in"]})
    access, refresh = pair["access_token"], pair["refresh_token"]
    set_access_cookies(response, access, max_age=seconds_left(access))
    set_refresh_cookies(response, refresh, max_age=seconds_left(refresh))
    return response


def seconds_left(token):
    """How long a token just made lives; without it as a cookie's max-age, flask-jwt-extended
    keeps the cookie a year."""
    return max(1, decode_token(token)["exp"] - int(time.time()))


def no_content(clear_cookies=False):
    response = make_response("", 204)
    if clear_cookies:
        unset_jwt_cookies(response)
    return response


def used_cookies():
    return get_jwt_request_location() == "cookies"


@blp.route("/register")
class Register(MethodView):
    @blp.doc(operationId="register")
    @blp.arguments(RegisterSchema)
    @blp.response(202, MessageSchema)
    @blp.problem(429, "Too many attempts from this address or for this email (`rate_limited`).")
    def post(self, data):
        """Apply for membership.

        Creates a `pending` application and emails a link to
        `{FRONTEND_URL}/verify-email?token=…`; an admin then approves the application. An
        email that is already registered gets the same answer (its owner is told by
        email instead), so the answer never reveals who is a member.
        """
        accounts.register(data)
        return REGISTERED, 202


@blp.route("/verify-email")
class VerifyEmail(MethodView):
    @blp.doc(operationId="verifyEmail")
    @blp.arguments(TokenSchema)
    @blp.response(204)
    @blp.problem(400, "The token is unknown, used or expired (`invalid_token`).")
    def post(self, data):
        """Confirm an email address with the token from the verification email.

        The token comes from the `{FRONTEND_URL}/verify-email?token=…` link and works once.
        An admin then approves the application before its member can log in.
        """
        accounts.verify_email(data["token"])


@blp.route("/login")
class Login(MethodView):
    @blp.doc(operationId="login")
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenPairSchema)
    @TOKENS
    @blp.problem(401, "Unknown email or wrong password (`invalid_credentials`), alike.")
    @blp.problem(403, "Right password, but the account is `account_pending` or "
                 "`account_suspended`.")
    @blp.problem(429, "Too many attempts from this address or for this account "
                 "(`rate_limited`); see `Retry-After`.")
    def post(self, data):
        """Log in with email and password.

        Answers an access token (send it as `Authorization: Bearer <token>`) and a refresh
        token. With `use_cookies: true` (browser SPAs on the API's own site: cookies do not
        work across sites) the tokens come as httpOnly cookies instead, each expiring with
        its token, with `csrf_access_token` and `csrf_refresh_token` cookies whose value
        must be echoed in an `X-CSRF-TOKEN` header on every POST, PUT, PATCH and DELETE.
        Each login is a session the member can see and end.
        """
        pair = auth_service.login(data["email"], data["password"],
                                  user_agent=request.user_agent.string,
                                  ip_address=request.remote_addr)
        return answer_tokens(pair, data["use_cookies"])


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.doc(operationId="refreshTokens")
    @blp.auth_required(refresh=True)
    @blp.response(200, TokenPairSchema)
    @TOKENS
    def post(self):
        """Swap the refresh token for a new token pair.

        Send the refresh token as `Authorization: Bearer <refresh token>`, or let the
        browser send the refresh cookie (with the `X-CSRF-TOKEN` header from the
        `csrf_refresh_token` cookie); cookies are answered with cookies. Each refresh
        token works once: presenting one that was already used ends the whole login
        (`token_revoked`), as it may have been stolen. A retry within a few seconds of a
        refresh whose answer was lost is answered with the current pair.
        """
        return answer_tokens(auth_service.refresh(get_jwt()), used_cookies())


@blp.route("/logout")
class Logout(MethodView):
    @blp.doc(operationId="logout")
    @blp.auth_required()
    @blp.response(204)
    def post(self):
        """Log out: this login's access and refresh tokens stop working at once.

        With cookies, they are cleared. The member's other logins go on.
        """
        auth_service.logout(current_session_id())
        return no_content(clear_cookies=used_cookies())


@blp.route("/logout-all")
class LogoutAll(MethodView):
    @blp.doc(operationId="logoutAll")
    @blp.auth_required()
    @blp.response(204)
    def post(self):
        """Log out everywhere: every login of yours ends, this one included.

        For a lost device, say. With cookies, this browser's are cleared.
        """
        auth_service.logout_everywhere(current_member())
        return no_content(clear_cookies=used_cookies())


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.doc(operationId="listSessions")
    @blp.auth_required()
    @blp.arguments(SessionQueryArgsSchema, location="query")
    @blp.paginated(SessionSchema)
    def get(self, args):
        """List your active logins.

        One item per login (device): its user agent, IP address, when it started and was
        last used (logged in or refreshed), and `current` for the one making this request.
        """
        return auth_service.list_sessions(current_member(), current_session_id(), args)


@blp.route("/sessions/<uuid:session_id>")
class SessionById(MethodView):
    @blp.doc(operationId="deleteSession")
    @blp.auth_required()
    @blp.response(204)
    @blp.problem(404, "You have no active login with this id.")
    def delete(self, session_id):
        """End one of your logins: its access and refresh tokens stop working at once.

        The ids come from `GET /auth/sessions`; ending the current login logs you out.
        """
        auth_service.end_session(current_member(), session_id)


@blp.route("/password/change")
class PasswordChange(MethodView):
    @blp.doc(operationId="changePassword")
    @blp.auth_required()
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @blp.problem(400, "The current password is wrong (`invalid_password`).")
    def post(self, data):
        """Change your password.

        Needs the current password. Every other login of yours ends; this one goes on.
        """
        accounts.change_password(current_member(), data["current_password"],
                                 data["new_password"], current_session_id())


@blp.route("/password/forgot")
class PasswordForgot(MethodView):
    @blp.doc(operationId="requestPasswordReset")
    @blp.arguments(PasswordForgotSchema)
    @blp.response(202, MessageSchema)
    @blp.problem(429, "Too many requests from this address or for this email "
                 "(`rate_limited`); see `Retry-After`.")
    def post(self, data):
        """Ask for a password reset link.

        Always answers 202 with the same body, whether or not the email belongs to a
        member. An active member gets an email with a link to
        `{FRONTEND_URL}/reset-password?token=…`: it works once, expires (15 minutes by
        default), and dies when a newer link is sent or the password changes.
        """
        accounts.request_reset(data["email"])
        return RESET_REQUESTED, 202


@blp.route("/password/reset")
class PasswordReset(MethodView):
    @blp.doc(operationId="resetPassword")
    @blp.arguments(PasswordResetSchema)
    @blp.response(204)
    @blp.problem(400, "The token is unknown, used or expired (`invalid_token`).")
    @blp.problem(429, "Too many attempts from this address (`rate_limited`).")
    def post(self, data):
        """Choose a new password with the token from a reset or invitation email.

        Every login of the member ends; log in again with the new password.
        """
        accounts.reset_password(data["token"], data["new_password"])


@blp.route("/me")
class Me(MethodView):
    @blp.doc(operationId="getMe")
    @blp.auth_required()
    @blp.response(200, ProfileSchema)
    def get(self):
        """Retrieve your own profile.

        It includes what only you and admins see: `email`, `last_login_at` and
        `email_verified_at`.
        """
        return current_member()

    @blp.doc(operationId="updateMe")
    @blp.auth_required()
    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, ProfileSchema)
    def patch(self, data):
        """Edit your own profile.

        Only `full_name`, `title`, `organization`, `country`, `park_id`, `bio`,
        `photo_url` and `language` can be changed here; any other field (`role` and
        `status` included) is rejected with 422.
        """
        return auth_service.update_profile(current_member(), data)
