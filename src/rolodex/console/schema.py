"""The schema: custom fields and custom objects, through the metadata services, so the
console says what the API says about a bad name, type or option."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from rolodex.console.web import Page
from rolodex.kit.errors import RolodexError
from rolodex.metadata import fieldtypes


async def schema_page(page: Page, status: int = 200, **extra: Any) -> Response:
    async with page.session() as s:
        objects = [o for o in s.registry.objects.values() if o.name != "member"]
        custom = await s.fields.list(None, True)
    return page.render(
        "schema.html",
        status=status,
        objects=objects,
        custom=custom,
        types=[t for t in fieldtypes.custom_types() if t != "RELATION"],
        form=extra.pop("form", {}),
        **extra,
    )


def _options(text: str) -> list[dict[str, str]] | None:
    """One option a line (or comma-separated): VALUE or VALUE=Label."""
    items = [p.strip() for line in text.splitlines() for p in line.split(",") if p.strip()]
    if not items:
        return None
    out = []
    for item in items:
        value, _, label = item.partition("=")
        out.append({"value": value.strip(), "label": (label or value).strip()})
    return out


async def create_field(page: Page) -> Response:
    body: dict[str, Any] = {
        "objectName": page.value("objectName"),
        "name": page.value("name").strip(),
        "type": page.value("type"),
    }
    for key in ("label", "description"):
        if page.value(key).strip():
            body[key] = page.value(key).strip()
    opts = _options(page.value("options"))
    if opts is not None:
        body["options"] = opts
    try:
        async with page.session(write=True) as s:
            created = await s.fields.create(body)
    except RolodexError as exc:
        return await schema_page(page, status=exc.status, error=exc.message, form=page.form)
    return await schema_page(
        page, status=201, notice=f"The field {created['name']} is added to {body['objectName']}."
    )


async def update_field(page: Page) -> Response:
    body = {k: page.value(k).strip() for k in ("label", "description") if k in page.form}
    try:
        async with page.session(write=True) as s:
            await s.fields.update(page.request.path_params["id"], body)
    except RolodexError as exc:
        return await schema_page(page, status=exc.status, error=exc.message)
    return await schema_page(page, notice="The field is saved.")


async def create_object(page: Page) -> Response:
    body = {
        k: page.value(k).strip()
        for k in ("nameSingular", "namePlural", "labelSingular", "labelPlural", "description")
        if page.value(k).strip()
    }
    try:
        async with page.session(write=True) as s:
            created = await s.objects.create(body)
    except RolodexError as exc:
        return await schema_page(page, status=exc.status, error=exc.message, form=page.form)
    return await schema_page(
        page, status=201, notice=f"The object {created.get('nameSingular')} is created."
    )


async def update_object(page: Page) -> Response:
    body = {
        k: page.value(k).strip()
        for k in ("labelSingular", "labelPlural", "description")
        if k in page.form
    }
    try:
        async with page.session(write=True) as s:
            await s.objects.update(page.request.path_params["name"], body)
    except RolodexError as exc:
        return await schema_page(page, status=exc.status, error=exc.message)
    return await schema_page(page, notice="The object is saved.")


def routes(view: Any, admin: dict[str, Any]) -> list[Route]:
    return [
        Route("/schema", view(schema_page, **admin), methods=["GET"]),
        Route("/schema/fields", view(create_field, **admin), methods=["POST"]),
        Route("/schema/fields/{id}", view(update_field, **admin), methods=["POST"]),
        Route("/schema/objects", view(create_object, **admin), methods=["POST"]),
        Route("/schema/objects/{name}", view(update_object, **admin), methods=["POST"]),
    ]
