"""``?page=`` and ``?per_page=`` (at most 100), with the totals in the body and the pages on
either side in a ``Link`` header (RFC 8288: first, prev, next, last)."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import marshmallow as ma
from flask import request

from wijklab.extensions import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
MAX_PAGE = 100_000


class PageArgsSchema(ma.Schema):
    page = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=ma.validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, 1 to {MAX_PER_PAGE}."},
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope of a list: its items and the totals."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True, metadata={"description": "All items."}),
            "pages": ma.fields.Integer(required=True, metadata={"description": "All pages."}),
        },
    )


LINK_HEADERS = {
    "Link": {
        "description": "RFC 8288 links to the first, prev, next and last page.",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "The number of items in all pages.",
        "schema": {"type": "integer"},
    },
}


def _url(page: int, per_page: int) -> str:
    args = request.args.to_dict()
    args.update(page=str(page), per_page=str(per_page))
    return f"{request.base_url}?{urlencode(args)}"


def paginated(query, args: dict) -> tuple[dict, dict]:
    """One page of ``query`` (two statements: the count and the page) and its headers. A page
    past the end is empty, with the links back."""
    page, per_page = args["page"], args["per_page"]
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    total = result.total or 0
    pages = max(1, math.ceil(total / per_page))
    links = [f'<{_url(1, per_page)}>; rel="first"']
    if page > 1:
        links.append(f'<{_url(min(page - 1, pages), per_page)}>; rel="prev"')
    if page < pages:
        links.append(f'<{_url(page + 1, per_page)}>; rel="next"')
    links.append(f'<{_url(pages, per_page)}>; rel="last"')
    body = {
        "items": list(result.items),
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": pages,
    }
    return body, {"Link": ", ".join(links), "X-Total-Count": str(total)}
