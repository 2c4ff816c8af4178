"""Request input the API accepts at all, before any schema sees it.

One strict JSON decoder for every body (the request parser's and `request.get_json`'s):
nesting is bounded, huge numbers are refused, and so is text with unpaired surrogates
(`"\\ud800"`: not Unicode, no database or UTF-8 encoder takes it), so hostile input is a 400,
never a 500. NUL and the other characters XML 1.0 forbids are valid JSON and are refused per
field by `BaseSchema` (422); query strings refuse NUL and other control characters here (422).
"""

import json
import re
from typing import Any

import marshmallow as ma
from flask import current_app
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

# Query strings whose parsed arguments each process keeps (it forgets them all past this).
PARSED_QUERIES_KEPT = 1024
# Far deeper than any body of the API, far shallower than Python's recursion limit.
MAX_JSON_DEPTH = 32
UNPAIRED_SURROGATE = re.compile(r"[\ud800-\udfff]")
QUERY_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """`json.loads` that raises `json.JSONDecodeError` (a ValueError) on anything unsafe."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError("The body is not UTF-8", "", error.start) from error
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise json.JSONDecodeError("The JSON is nested too deeply", data, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # such as an integer of more than 4300 digits
        raise json.JSONDecodeError(str(error).split(":")[0], data, 0) from None
    _check(value, data)
    return value


def _check(value: Any, doc: str) -> None:
    """Walk the document without recursion: depth and text."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if UNPAIRED_SURROGATE.search(item):
                raise json.JSONDecodeError("Text may not contain unpaired surrogates", doc, 0)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise json.JSONDecodeError(f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels",
                                       doc, 0)
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON provider: `request.get_json()` decodes with `loads` above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class Parser(FlaskParser):
    """The request parser of every view (see `api.blueprint.Blueprint`)."""

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        """webargs' `parse`; a query string this process already parsed with the same schema
        is answered from its memory (parsing a query reads nothing else, and cost more than
        the rest of a cached answer)."""
        if location != "query" or not isinstance(argmap, ma.Schema):
            return super().parse(argmap, req, location=location, **kwargs)
        req = req or self.get_default_request()
        parsed = parsed_query(argmap, req)
        if parsed is None:
            parsed = super().parse(argmap, req, location=location, **kwargs)
            parsed_queries = current_app.extensions.setdefault("parsed_queries", {})
            if len(parsed_queries) >= PARSED_QUERIES_KEPT:
                parsed_queries.clear()
            parsed_queries[(id(argmap), req.query_string)] = dict(parsed)
        return parsed


    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return loads(req.get_data(cache=True))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        reason = getattr(error, "msg", None) or "Invalid JSON"
        abort(400, exc=error, messages={"json": [f"Invalid JSON body: {reason}."]})

    def load_querystring(self, req, schema):
        bad = sorted({name for name, value in req.args.items(multi=True)
                      if QUERY_CONTROL_CHARACTERS.search(name + value)})
        if bad:
            abort(422, messages={"query": {name: ["Control characters are not allowed."]
                                           for name in bad}})
        return super().load_querystring(req, schema)


def parsed_query(schema, req):
    """The arguments this process parsed from `req`'s query string with `schema` before (a
    copy), or None."""
    parsed = current_app.extensions.get("parsed_queries", {}).get((id(schema),
                                                                   req.query_string))
    return None if parsed is None else dict(parsed)
