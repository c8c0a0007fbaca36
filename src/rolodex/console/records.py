"""Records of every object: a list with search, filters, sorting, paging and chosen
columns; a record's page with its fields, relations, timeline and consents; create,
edit, soft delete and restore. Everything goes through the workspace session."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from rolodex.api.rest.grammar import parse_filter
from rolodex.console import fields
from rolodex.console.web import Page
from rolodex.kit.errors import NotFound, RolodexError
from rolodex.metadata.model import ObjectDef
from rolodex.records.query import And, Cond, CountMode, Direction, Filter, ListQuery, Or, Order

PAGE_SIZE = 25
TIMELINE_PAGE = 50
DEFAULT_COLUMNS = 5


def _search(obj: ObjectDef, text: str) -> Filter | None:
    """A case-insensitive match of the words on the object's label field and email."""
    text = text.strip()
    if not text:
        return None
    pattern = "%" + text.replace("%", "").replace("_", "") + "%"
    names = [n for n in (obj.label_field, "email", "title") if obj.field(n) and n != "id"]
    names = list(dict.fromkeys(n for n in names if fields.widget(obj.fields[n]) == "text"))
    if not names:
        return None
    conds = tuple(Cond(n, "ilike", pattern) for n in names)
    return conds[0] if len(conds) == 1 else Or(conds)


def _columns(page: Page, obj: ObjectDef) -> list[str]:
    available = [f.name for f in fields.shown(obj)]
    chosen = [c for c in page.request.query_params.getlist("col") if c in available]
    if chosen:
        return chosen
    preferred = [obj.label_field, "email", "title", "status", "domainName", "createdAt"]
    base = [c for c in preferred if c in available]
    custom = [f.name for f in obj.fields.values() if f.is_custom and f.name in available]
    return list(dict.fromkeys([*base, *custom]))[: DEFAULT_COLUMNS + len(custom)]


async def list_records(page: Page, status: int = 200, **extra: Any) -> Response:
    plural = page.request.path_params["objects"]
    q_text = page.query("q")
    raw_filter = page.query("filter").strip()
    sort = page.query("sort") or "createdAt"
    direction = page.query("dir") or "desc"
    after, before = page.query("after") or None, page.query("before") or None
    error = None
    async with page.session() as s:
        obj = s.registry.by_plural(plural)
        parts: list[Filter] = []
        found = _search(obj, q_text)
        if found is not None:
            parts.append(found)
        try:
            if raw_filter:
                parts.append(parse_filter(raw_filter))
            if obj.field(sort) is None:
                sort = "createdAt"
            order = (
                Order(
                    sort,
                    Direction.DESC_NULLS_LAST if direction == "desc" else Direction.ASC_NULLS_FIRST,
                ),
            )
            query = ListQuery(
                filter=None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts)),
                order=order,
                limit=PAGE_SIZE,
                after=after,
                before=before if not after else None,
                # Exact up to the bound, estimated past it: a large workspace's list
                # costs what a small one's does (docs/api.md, "Counts").
                count=CountMode.ESTIMATE,
                count_limit=page.state.settings.count_limit,
            )
            result = await s.records.page(obj, query)
            records, info, total = result.records, result.page_info, result.total
            exact = result.total_exact is not False
        except RolodexError as exc:
            error, status = exc.message, exc.status
            records, info, total, exact = [], {}, 0, True
    columns = _columns(page, obj)
    keep = {"q": q_text, "filter": raw_filter, "sort": sort, "dir": direction}
    keep_cols = [("col", c) for c in page.request.query_params.getlist("col")]

    def link(**more: str) -> str:
        return "?" + urlencode([*((k, v) for k, v in {**keep, **more}.items() if v), *keep_cols])

    return page.render(
        "records.html",
        status=status,
        obj=obj,
        records=records,
        columns=columns,
        all_columns=[f.name for f in fields.shown(obj)],
        labels={f.name: f.label for f in obj.fields.values()},
        sortable=[f.name for f in fields.shown(obj) if f.relation is None],
        total=total,
        exact=exact,
        info=info,
        q=q_text,
        filter=raw_filter,
        sort=sort,
        dir=direction,
        link=link,
        show=_show,
        editable=fields.editable(obj),
        widget=fields.widget,
        as_text=fields.as_text,
        error=error or extra.pop("error", None),
        **extra,
    )


def _show(value: Any) -> str:
    """A value in a table cell: related records by name, lists joined, JSON as text."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("title") or value.get("id") or value)
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    return str(value)


async def create_record(page: Page) -> Response:
    plural = page.request.path_params["objects"]
    try:
        async with page.session(write=True) as s:
            obj = s.registry.by_plural(plural)
            record = await s.records.create(obj, fields.changes(obj, None, page.form))
    except RolodexError as exc:
        return await list_records(page, status=exc.status, error=exc.message)
    return page.redirect(f"/records/{plural}/{record['id']}")


async def show_record(page: Page, status: int = 200, **extra: Any) -> Response:
    plural, rid = page.request.path_params["objects"], page.request.path_params["id"]
    async with page.session() as s:
        obj = s.registry.by_plural(plural)
        try:
            record: dict[str, Any] | None = await s.records.get(obj, rid, depth=1)
        except NotFound:
            record = None
        history, older = await s.timeline.page(
            obj, rid, limit=TIMELINE_PAGE, after=page.query("events") or None
        )
        consents = await s.consents.of_person(rid) if record and obj.name == "person" else []
    if record is None and not history:
        raise NotFound(f"No {obj.name} with id {rid}.", field="id")
    related = []
    if record is not None:
        for f in obj.relations:
            value = record.get(f.name)
            if f.relation is None or value is None:
                continue
            target = s.registry.object(f.relation.target)
            items = value if isinstance(value, list) else [value]
            related.append({"field": f, "target": target, "items": items})
    return page.render(
        "record.html",
        status=status,
        obj=obj,
        rid=rid,
        record=record,
        fields=[f for f in fields.shown(obj) if f.relation is None],
        editable=fields.editable(obj),
        widget=fields.widget,
        as_text=fields.as_text,
        show=_show,
        related=related,
        history=history,
        older=older,
        consents=consents,
        **extra,
    )


async def show(page: Page) -> Response:
    return await show_record(page)


async def update_record(page: Page) -> Response:
    plural, rid = page.request.path_params["objects"], page.request.path_params["id"]
    try:
        async with page.session(write=True) as s:
            obj = s.registry.by_plural(plural)
            current = await s.records.get(obj, rid)
            changed = fields.changes(obj, current, page.form)
            if changed:
                await s.records.update(obj, rid, changed)
    except RolodexError as exc:
        return await show_record(page, status=exc.status, error=exc.message)
    return await show_record(page, notice="Saved." if changed else "Nothing changed.")


async def delete_record(page: Page) -> Response:
    plural, rid = page.request.path_params["objects"], page.request.path_params["id"]
    async with page.session(write=True) as s:
        await s.records.soft_delete(s.registry.by_plural(plural), rid)
    return await show_record(page, notice="Deleted. You can restore it here.")


async def restore_record(page: Page) -> Response:
    plural, rid = page.request.path_params["objects"], page.request.path_params["id"]
    async with page.session(write=True) as s:
        await s.records.restore(s.registry.by_plural(plural), rid)
    return await show_record(page, notice="Restored.")


def routes(view: Any) -> list[Route]:
    return [
        Route("/records/{objects}", view(list_records), methods=["GET"]),
        Route("/records/{objects}", view(create_record), methods=["POST"]),
        Route("/records/{objects}/{id}", view(show), methods=["GET"]),
        Route("/records/{objects}/{id}", view(update_record), methods=["POST"]),
        Route("/records/{objects}/{id}/delete", view(delete_record), methods=["POST"]),
        Route("/records/{objects}/{id}/restore", view(restore_record), methods=["POST"]),
    ]
