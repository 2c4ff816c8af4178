"""Schema base classes and field types shared by every resource."""

import re
from collections.abc import Mapping
from datetime import UTC

import marshmallow as ma
import pycountry
from marshmallow import validate

from api.sanitize import XML_FORBIDDEN

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QueryArgsSchema(ma.Schema):
    """Query arguments: unknown parameters (cache busters, analytics tags) are ignored."""

    class Meta:
        unknown = ma.EXCLUDE


class BaseSchema(ma.Schema):
    """Rejects unknown fields instead of silently dropping them, and characters XML 1.0
    forbids in any value (NUL and the other C0 controls but tab and line breaks, U+FFFE,
    U+FFFF): no database stores NUL, and no feed or calendar could carry the others."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def refuse_forbidden_characters(self, data, **_kwargs):
        if isinstance(data, Mapping):
            bad = {key: [FORBIDDEN_CHARACTERS_MESSAGE] for key in data
                   if _contains_forbidden(data[key])}
            if bad:
                raise ma.ValidationError(bad)
        return data


FORBIDDEN_CHARACTERS_MESSAGE = ("Control characters other than tab, line feed and carriage "
                                "return are not allowed, nor U+FFFE and U+FFFF.")


def _contains_forbidden(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if XML_FORBIDDEN.search(item):
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


class CountryCode(ma.fields.String):
    """ISO 3166-1 alpha-2 country code, normalised to upper case."""

    default_error_messages = {"invalid_country": "Not an ISO 3166-1 alpha-2 country code."}

    def __init__(self, **kwargs):
        metadata = {"description": "ISO 3166-1 alpha-2 code", "example": "PT"}
        metadata |= kwargs.pop("metadata", {})
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise self.make_error("invalid_country")
        return code


class WebURL(ma.fields.URL):
    """An absolute http(s) URL."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, require_tld=False, **kwargs)


def text(max_length, *, min_length=None, **kwargs):
    """A trimmed string field of bounded length."""
    return TrimmedString(validate=validate.Length(min=min_length, max=max_length), **kwargs)


class TrimmedString(ma.fields.String):
    """Text without surrounding blanks or control characters (tabs and newlines allowed)."""

    default_error_messages = {"control": "Control characters are not allowed."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if CONTROL_CHARACTERS.search(text):
            raise self.make_error("control")
        return text


class Label(ma.fields.String):
    """A short label (an industry, a tag), stored lower-case so that filters match however
    it was typed."""

    def _deserialize(self, value, attr, data, **kwargs):
        return " ".join(super()._deserialize(value, attr, data, **kwargs).lower().split())


class LanguageTag(ma.fields.String):
    """A BCP 47 language tag such as `en` or `zh-Hans`."""

    def __init__(self, **kwargs):
        super().__init__(
            validate=[validate.Length(max=35),
                      validate.Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                                      error="Not a BCP 47 language tag.")],
            metadata={"example": "en"} | kwargs.pop("metadata", {}),
            **kwargs,
        )


class Slug(ma.fields.String):
    """Lower-case letters (any script), digits and single hyphens."""

    def __init__(self, **kwargs):
        super().__init__(
            validate=[
                validate.Length(min=1, max=200),
                validate.Regexp(r"^[^\W_A-Z]+(?:-[^\W_A-Z]+)*$",
                                error="Use lower-case letters, digits and single hyphens."),
            ],
            metadata={"example": "taguspark"},
            **kwargs,
        )


class Timestamp(ma.fields.AwareDateTime):
    """RFC 3339 timestamp in UTC, written with a `Z` (`2021-12-09T00:00:00Z`)."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
