"""Auth: log in, refresh tokens, log out and the member's own profile."""

from flask import request
from flask.views import MethodView
from flask_jwt_extended import get_jwt

from api.auth import current_member, current_session_id
from api.blueprint import Blueprint
from api.schemas.auth import LoginSchema, TokenPairSchema
from api.schemas.member import MemberSchema, ProfileUpdateSchema
from api.services import auth as auth_service

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Logging in, tokens and the member's own profile.")


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenPairSchema)
    @blp.problem(401, "Unknown email or wrong password (`invalid_credentials`), alike.")
    @blp.problem(403, "Right password, but the account is `account_pending` or "
                 "`account_suspended`.")
    def post(self, data):
        """Log in with email and password.

        Answers an access token (send it as `Authorization: Bearer <token>`) and a refresh
        token. Each login is a session the member can see and end.
        """
        return auth_service.login(data["email"], data["password"],
                                  user_agent=request.user_agent.string,
                                  ip_address=request.remote_addr)


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.auth_required(refresh=True)
    @blp.response(200, TokenPairSchema)
    def post(self):
        """Swap the refresh token for a new token pair.

        Send the refresh token as `Authorization: Bearer <refresh token>`. Each refresh
        token works once: presenting one that was already used ends the whole login
        (`token_revoked`), as it may have been stolen. A retry within a few seconds of a
        refresh whose answer was lost is answered with the current pair.
        """
        return auth_service.refresh(get_jwt())


@blp.route("/logout")
class Logout(MethodView):
    @blp.auth_required()
    @blp.response(204)
    def post(self):
        """Log out: this login's access and refresh tokens stop working at once."""
        auth_service.logout(current_session_id())


@blp.route("/me")
class Me(MethodView):
    @blp.auth_required()
    @blp.response(200, MemberSchema)
    def get(self):
        """Retrieve your own profile."""
        return current_member()

    @blp.auth_required()
    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, MemberSchema)
    def patch(self, data):
        """Edit your own profile.

        Only `full_name`, `title`, `organization`, `country`, `park_id`, `bio`,
        `photo_url` and `language` can be changed here; any other field (`role` and
        `status` included) is rejected with 422.
        """
        return auth_service.update_profile(current_member(), data)
