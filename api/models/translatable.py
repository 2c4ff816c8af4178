"""Translatable items: a default language and a `translations` JSON column per item."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class TranslatableMixin:
    """Text fields in several languages: `{"zh": {"title": "…"}}` beside the default fields.

    Subclasses name their `TRANSLATABLE_FIELDS`; reads fall back field by field to the
    default-language value (see `api.translations`).
    """

    TRANSLATABLE_FIELDS: tuple[str, ...] = ()

    default_language: Mapped[str] = mapped_column(String(35), default="en")
    translations: Mapped[dict] = mapped_column(default=dict)

    @property
    def available_languages(self):
        others = sorted(lang for lang in self.translations or {} if lang != self.default_language)
        return [self.default_language, *others]

    def translated(self, field, language):
        """The value of `field` in `language`, or the default-language value."""
        if language != self.default_language:
            value = (self.translations or {}).get(language, {}).get(field)
            if value is not None:
                return value
        return getattr(self, field)
