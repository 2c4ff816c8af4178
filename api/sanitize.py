"""HTML of articles: sanitised with nh3, and reduced to text for summaries and search; text
without the characters XML cannot carry."""

import html
import re

import nh3

TAGS = {"p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
        "a", "ul", "ol", "li", "blockquote", "img", "figure", "figcaption", "code", "pre",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
              "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"}}
IMAGE_SCHEMES = ("http://", "https://")
SUMMARY_LENGTH = 280

# What XML 1.0 does not allow (https://www.w3.org/TR/xml/#charsets): the C0 controls but
# tab, line feed and carriage return; surrogates; U+FFFE and U+FFFF.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|td|th|tr|pre)>|<br\s*/?>", re.I)


def _filter_attribute(tag, attribute, value):
    # nh3's URL schemes apply to every attribute: images take no mailto: (nor anything else).
    if tag == "img" and attribute == "src" and not value.lower().startswith(IMAGE_SCHEMES):
        return None
    return value


def clean_html(markup):
    """The article HTML with only the formatting an article needs; no scripts, event
    handlers or `javascript:` URLs. Links get `rel="noopener"`."""
    return nh3.clean(markup, tags=TAGS, attributes=ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener",
                     strip_comments=True, clean_content_tags={"script", "style"},
                     attribute_filter=_filter_attribute)


def html_to_text(markup):
    """The readable text of `markup`, blocks separated by spaces."""
    if not markup:
        return ""
    text = nh3.clean(_BLOCK_END.sub(" ", markup), tags=set(),
                     clean_content_tags={"script", "style"})
    return " ".join(html.unescape(text).split())


def xml_safe(text):
    """`text` without the characters XML 1.0 forbids (see `XML_FORBIDDEN`)."""
    return XML_FORBIDDEN.sub("", text)


def summarize(markup, length=SUMMARY_LENGTH):
    """The first words of the article's text, cut at a word boundary."""
    text = html_to_text(markup)
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
