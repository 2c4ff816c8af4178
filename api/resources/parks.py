"""Parks: the directory of the community's science and technology parks."""

from flask import url_for
from flask.views import MethodView

from api.blueprint import LOCATION_HEADER_DOC, Blueprint
from api.models import Role
from api.schemas.park import ParkCreateSchema, ParkQueryArgsSchema, ParkSchema, ParkUpdateSchema
from api.services import parks
from api.translations import LanguageArgsSchema

blp = Blueprint("parks", __name__, url_prefix="/api/v1/parks",
                description="The directory of member science and technology parks.")


@blp.route("")
class Parks(MethodView):
    @blp.doc(operationId="listParks")
    @blp.auth_required(optional=True)
    @blp.arguments(ParkQueryArgsSchema, location="query")
    @blp.cached("parks")
    @blp.paginated(ParkSchema)
    def get(self, args):
        """List parks.

        Filter by words (`q`), `country`, focus `industry` and membership (`is_member`);
        sort by `name` (default), `founded_year` or `created_at`.
        """
        return parks.list_parks(args)

    @blp.doc(operationId="createPark")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ParkCreateSchema)
    @blp.response(201, ParkSchema, headers=LOCATION_HEADER_DOC)
    @blp.problem(409, "The slug is already taken.")
    def post(self, data):
        """Create a park.

        Without a `slug`, one is made from the name (and made unique); an explicit
        `slug` that is taken gives 409.
        """
        park = parks.create_park(data)
        return park, 201, {"Location": url_for("parks.ParkByRef", ref=park.slug)}


@blp.route("/<ref>")
class ParkByRef(MethodView):
    @blp.doc(operationId="getPark")
    @blp.auth_required(optional=True)
    @blp.arguments(LanguageArgsSchema, location="query")
    @blp.cached("park")
    @blp.response(200, ParkSchema)
    @blp.problem(404, "No park has this id or slug.")
    def get(self, _args, ref):
        """Retrieve a park by id or slug.

        Text fields come in the language of `lang` or `Accept-Language` when translated.
        """
        return parks.get_park(ref)

    @blp.doc(operationId="updatePark")
    @blp.auth_required(Role.EDITOR)
    @blp.arguments(ParkUpdateSchema)
    @blp.response(200, ParkSchema)
    @blp.problem(404, "No park has this id or slug.")
    @blp.problem(409, "The slug is already taken.")
    def patch(self, data, ref):
        """Update a park; only the fields sent change.

        `focus_industries` sent replaces the stored list; `translations` merge by language
        and field (null removes one). A `slug` that another park has gives 409.
        """
        return parks.update_park(ref, data)

    @blp.doc(operationId="deletePark")
    @blp.auth_required(Role.EDITOR)
    @blp.response(204)
    @blp.problem(404, "No park has this id or slug.")
    def delete(self, ref):
        """Delete a park.

        Members of the park keep their accounts, without the park; news, speakers and
        reports that mention it stay, without it.
        """
        parks.delete_park(ref)
