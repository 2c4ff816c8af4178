"""Members: the member directory and its administration."""

from flask import url_for
from flask.views import MethodView

from api.auth import current_member
from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.member import (
    MemberAdminUpdateSchema,
    MemberInviteSchema,
    MemberQueryArgsSchema,
    MemberSchema,
)
from api.services import members

blp = Blueprint("members", __name__, url_prefix="/api/v1/members",
                description="The member directory (members only) and its administration.")


@blp.route("")
class Members(MethodView):
    @blp.doc(operationId="listMembers")
    @blp.auth_required()
    @blp.arguments(MemberQueryArgsSchema, location="query")
    @blp.paginated(MemberSchema)
    @blp.problem(403, "`role` and `status` filters, and sorting by `last_login_at`, are for "
                 "admins.")
    def get(self, args):
        """List members.

        Filter by words (`q`, in name, organisation and title), `country` and `park` (id
        or slug); admins also by `role` and `status`, and they see pending and suspended
        accounts too. A member's `email`, `last_login_at` and `email_verified_at` are shown
        to admins and to the member alone. Sort by `full_name` (default) or `created_at`;
        admins also by `last_login_at` (a field others cannot read: 403 `forbidden`).
        """
        return members.list_members(current_member(), args)

    @blp.doc(operationId="inviteMember")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(MemberInviteSchema)
    @blp.response(201, MemberSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(409, "A member with this email exists.")
    def post(self, data):
        """Invite a member.

        Creates an active member and emails them a link to
        `{FRONTEND_URL}/reset-password?token=…` to choose their password (it works once,
        for 7 days by default).
        """
        member = members.invite_member(current_member(), data)
        return member, 201, {"Location": url_for("members.MemberById", member_id=member.id)}


@blp.route("/<uuid:member_id>")
class MemberById(MethodView):
    @blp.doc(operationId="getMember")
    @blp.auth_required()
    @blp.response(200, MemberSchema)
    @blp.problem(404, "No member has this id (or it is not visible to you).")
    def get(self, member_id):
        """Retrieve a member's profile.

        Members see active members; admins see every account, and every member's
        `email` and `last_login_at`.
        """
        return members.get_member(current_member(), member_id)

    @blp.doc(operationId="updateMember")
    @blp.auth_required(Role.ADMIN)
    @blp.arguments(MemberAdminUpdateSchema)
    @blp.response(200, MemberSchema)
    @blp.problem(404, "No member has this id.")
    @blp.problem(409, "The member's email address is not verified yet (`email_unverified`).")
    def patch(self, data, member_id):
        """Approve, suspend or change the role of a member.

        `status: active` approves an application (or lifts a suspension); `status:
        suspended` also ends every login of the member at once. Admins cannot change
        their own role or status (403). An account becomes active only once its email
        address is verified (`email_verified_at`: its owner followed the link of the
        verification email, of an invitation or of a password reset; accounts created from
        the command line count as verified); before that the answer is 409 with code
        `email_unverified`, and nothing changes.
        """
        return members.update_member(current_member(), member_id, data)

    @blp.doc(operationId="deleteMember")
    @blp.auth_required()
    @blp.response(204)
    @blp.problem(403, "Members can delete only their own account.")
    @blp.problem(404, "No member has this id.")
    def delete(self, member_id):
        """Delete a member (admins), or your own account.

        The member's personal data is removed and every login ends; what they authored
        stays, shown without them ("Former member").
        """
        members.delete_member(current_member(), member_id)
