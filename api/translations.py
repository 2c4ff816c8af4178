"""Translations: one way to write and read the text fields of every translatable resource.

Storage is the `translations` column of `TranslatableMixin` (`{"zh": {"title": "…"}}`).
Writes take `translations: {"zh": {...}}`, checked against the resource's translatable
fields. Reads pick a language from `?lang=` or `Accept-Language`, fall back field by field to
the item's default language, and answer `Content-Language` and `Vary: Accept-Language`.
"""

import json

import marshmallow as ma
from flask import current_app, g, request

from api.parsing import loads
from api.schemas.base import BaseSchema, LanguageTag, QueryArgsSchema


class Translations:
    """The translatable fields of a resource: the schema of one language's values
    (`{"title": "…"}`), and the `translations` field of its write and read schemas."""

    def __init__(self, resource, **fields):
        self.schema = type(f"{resource}TranslationSchema", (BaseSchema,), fields)

    def write_field(self, form_encoded=False):
        """`translations` of a write schema: language tag -> the values.

        Within a language a null value removes that field's translation; a null language
        removes the language. With `form_encoded` the field also takes the object as a
        JSON-encoded string, which is how a multipart form carries it.
        """
        description = "Text fields in other languages, by BCP 47 tag: `{\"zh\": {…}}`."
        if form_encoded:
            description += (" In a multipart form, send this object JSON-encoded as the value "
                            "of one `translations` field.")
        field_class = JSONEncodedDict if form_encoded else ma.fields.Dict
        return field_class(keys=LanguageTag(),
                           values=ma.fields.Nested(self.schema, allow_none=True),
                           metadata={"description": description})

    def read_field(self):
        """`translations` of an answer: every stored translation, by language, typed as the
        write side's values, so that an editor can send them back changed."""
        return ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(self.schema),
                              dump_only=True, required=True, metadata={
                                  "description": "Every translation, by language (for "
                                                 "editing)."})


class JSONEncodedDict(ma.fields.Dict):
    """A dict, given as an object (JSON body) or as a JSON-encoded string (form field), which
    the API's strict JSON decoder reads as it reads a body (nesting, numbers, surrogates)."""

    default_error_messages = {"invalid_json": "Not valid JSON: {reason}."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                value = loads(value)
            except json.JSONDecodeError as error:
                raise self.make_error("invalid_json", reason=error.msg) from error
        return super()._deserialize(value, attr, data, **kwargs)


def apply_translations(item, given, prepare=None):
    """Merge `given` translations into `item`; `prepare(field, value)` may clean a value."""
    merged = {lang: dict(values) for lang, values in (item.translations or {}).items()}
    for lang, values in given.items():
        if values is None:
            merged.pop(lang, None)
            continue
        current = merged.setdefault(lang, {})
        for field, value in values.items():
            if value is None:
                current.pop(field, None)
            else:
                current[field] = prepare(field, value) if prepare else value
        if not current:
            del merged[lang]
    item.translations = merged


def requested_language():
    """The language the caller asked for: `?lang=`, else the best of `Accept-Language`."""
    if "requested_language" not in g:
        lang = request.args.get("lang") or request.accept_languages.best_match(
            current_app.config["LANGUAGES"])
        g.requested_language = lang.lower() if lang else None
    return g.requested_language


def choose_language(item):
    """The language `item` is shown in: the requested one when it has it, else its default."""
    wanted = requested_language()
    available = item.available_languages
    if wanted:
        for candidate in (wanted, wanted.split("-")[0]):
            if candidate in available:
                return candidate
    return item.default_language


def language_of(item):
    """`choose_language` for an item answered at the top level; it sets Content-Language."""
    chosen = choose_language(item)
    g.setdefault("content_languages", set()).add(chosen)
    return chosen


class Translated(ma.fields.String):
    """A text field read in the language chosen for its item (see `language_of`).

    A dotted `attribute` reads a related item's field: `attribute="news.title"`.
    """

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        *path, field = (self.attribute or attr).split(".")
        for name in path:
            obj = getattr(obj, name)
        return obj.translated(field, choose_language(obj))


class AnswerLanguage(ma.fields.String):
    """The language an item's text fields are answered in (it sets Content-Language)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return language_of(obj)


class TranslatedSchema(ma.Schema):
    """Read fields every translatable resource carries; each also declares its typed
    `translations` (`translations_read_field`)."""

    default_language = ma.fields.String(dump_only=True, required=True, metadata={
        "description": "The language of the item's own fields; translations fall back to it."})
    language = AnswerLanguage(dump_only=True, required=True, metadata={
        "description": "The language of this answer's text fields."})
    available_languages = ma.fields.List(ma.fields.String(), dump_only=True, required=True)


class LanguageArgsSchema(QueryArgsSchema):
    """The `lang` query argument of every read that answers translated text."""

    lang = LanguageTag(metadata={"description": "Language of the text fields (BCP 47); "
                                 "overrides `Accept-Language`. Missing translations fall "
                                 "back to the item's default language.", "example": "zh"})


def content_language():
    """The Content-Language of the response being built: the languages its items were shown
    in (the requested or default language when it shows none); None when it shows no
    translatable text."""
    languages = g.get("content_languages")
    if languages is None:
        return None
    chosen = languages or {requested_language() or current_app.config["LANGUAGES"][0]}
    return ", ".join(sorted(chosen))


def init_translations(app):
    @app.after_request
    def add_language_headers(response):
        # A cached answer carries the Content-Language it was built with.
        language = response.headers.get("Content-Language") or content_language()
        if language and response.status_code < 400:
            response.headers["Content-Language"] = language
            response.vary.add("Accept-Language")
        return response
