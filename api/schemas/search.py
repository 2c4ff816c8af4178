"""Search schemas: the query arguments and one ranked hit."""

import marshmallow as ma
from marshmallow import validate

from api.models.search import SEARCHABLE
from api.pagination import ListArgsSchema


class SearchTypes(ma.fields.String):
    """A comma-separated list of searchable types (`news,park`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        names = [n.strip() for n in super()._deserialize(value, attr, data, **kwargs).split(",")]
        unknown = [name for name in names if name not in SEARCHABLE]
        if unknown or not names:
            raise ma.ValidationError(f"Use types among {', '.join(sorted(SEARCHABLE))}.")
        return tuple(names)


class SearchArgsSchema(ListArgsSchema):
    """Lists arguments without `sort`: hits come best first."""

    class Meta:
        exclude = ("sort",)

    q = ma.fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "Words to look for."})
    type = SearchTypes(metadata={"description": "Comma-separated types to search; default "
                                 "all.", "example": "news,report"})


class SearchHitSchema(ma.Schema):
    type = ma.fields.String(dump_only=True, required=True, metadata={"enum": sorted(SEARCHABLE)})
    id = ma.fields.UUID(dump_only=True, required=True)
    slug = ma.fields.String(dump_only=True, required=True)
    title = ma.fields.String(dump_only=True, required=True)
    snippet = ma.fields.String(dump_only=True, required=True, metadata={
        "description": "HTML-escaped text around the matches, which are in `<mark>`."})
