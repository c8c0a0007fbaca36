"""Webhooks: list with state and success rate, create and edit, test, rotate the secret,
disable and enable, the delivery log with every attempt, resend and recover."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from rolodex.console import subscriptions
from rolodex.console.web import Page
from rolodex.kit import clock
from rolodex.kit.errors import RolodexError, ValidationError
from rolodex.webhooks.payloads import FORMATS
from rolodex.webhooks.service import DELIVERY_STATUSES

LOG_PAGE = 50
RATE_WINDOW = 100  # the deliveries the success rate is taken over


def _state(hook: dict[str, Any]) -> str:
    return {"active": "healthy"}.get(hook["status"], hook["status"])


async def _rate(s: Any, hook_id: Any) -> str:
    """Succeeded out of finished, over the latest deliveries."""
    rows = (await s.webhooks.deliveries(hook_id, None, RATE_WINDOW, 0)).items
    done = [r for r in rows if r["status"] != "pending"]
    if not done:
        return "no deliveries yet"
    ok = sum(1 for r in done if r["status"] == "succeeded")
    return f"{round(100 * ok / len(done))}% of the last {len(done)}"


async def list_hooks(page: Page, status: int = 200, **extra: Any) -> Response:
    async with page.session() as s:
        hooks, _ = await s.webhooks.page(200, 0)
        rows = [
            {**h.to_dict(), "state": _state(h.to_dict()), "rate": await _rate(s, h.id)}
            for h in hooks
        ]
    sub_rows, _ = subscriptions.to_rows(None)
    return page.render(
        "webhooks.html",
        status=status,
        hooks=rows,
        formats=FORMATS,
        ops=subscriptions.OPS,
        rows=sub_rows,
        subs_json="",
        hook=None,
        **extra,
    )


def _body(page: Page) -> dict[str, Any]:
    body: dict[str, Any] = {
        "targetUrl": page.value("targetUrl"),
        "format": page.value("format") or "rolodex",
        "subscriptions": subscriptions.from_form(page.form),
    }
    if page.value("name"):
        body["name"] = page.value("name")
    if "description" in page.form:
        body["description"] = page.value("description")
    return body


async def create_hook(page: Page) -> Response:
    try:
        async with page.session(write=True) as s:
            hook = await s.webhooks.create(_body(page))
    except RolodexError as exc:
        return await list_hooks(page, status=exc.status, error=exc.message)
    return await show_hook(
        page, hook.id, status=201, secret=hook.secret, notice="The webhook is created."
    )


async def show_hook(page: Page, hook_id: Any = None, status: int = 200, **extra: Any) -> Response:
    hook_id = hook_id or page.request.path_params["id"]
    async with page.session() as s:
        hook = (await s.webhooks.get(hook_id)).to_dict()
        rate = await _rate(s, hook_id)
    rows, subs_json = subscriptions.to_rows(hook.get("subscriptions"))
    return page.render(
        "webhook.html",
        status=status,
        hook=hook,
        state=_state(hook),
        rate=rate,
        formats=FORMATS,
        ops=subscriptions.OPS,
        rows=rows,
        subs_json=subs_json,
        **extra,
    )


async def show(page: Page) -> Response:
    return await show_hook(page)


async def update_hook(page: Page) -> Response:
    hook_id = page.request.path_params["id"]
    try:
        async with page.session(write=True) as s:
            await s.webhooks.update(hook_id, _body(page))
    except RolodexError as exc:
        return await show_hook(page, status=exc.status, error=exc.message)
    return await show_hook(page, notice="Saved.")


async def set_status(page: Page) -> Response:
    wanted = page.value("status")
    if wanted not in ("active", "disabled"):
        raise ValidationError("status is active or disabled", field="status")
    async with page.session(write=True) as s:
        await s.webhooks.update(page.request.path_params["id"], {"status": wanted})
    return await show_hook(page, notice="Enabled." if wanted == "active" else "Disabled.")


async def send_test(page: Page) -> Response:
    hook_id = page.request.path_params["id"]
    try:
        async with page.session(write=True) as s:
            sent = await s.webhooks.test(hook_id, page.value("eventType") or None)
    except RolodexError as exc:
        return await show_hook(page, status=exc.status, error=exc.message)
    response = page.redirect(f"/webhooks/{hook_id}/deliveries?test={sent['id']}")
    return response


async def rotate(page: Page) -> Response:
    hook_id = page.request.path_params["id"]
    try:
        hours = float(page.value("graceHours") or "24")
    except ValueError:
        hours = -1
    try:
        async with page.session(write=True) as s:
            hook = await s.webhooks.rotate_secret(hook_id, None, hours * 3600)
    except RolodexError as exc:
        return await show_hook(page, status=exc.status, error=exc.message)
    return await show_hook(
        page,
        secret=hook.secret,
        notice=f"A new secret; the old one keeps signing for {hours:g} hours.",
    )


def _when(text: str, field: str) -> datetime | None:
    """A ``datetime-local`` value (taken as UTC) or an ISO 8601 instant."""
    text = text.strip()
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return clock.parse_datetime(text, field=field)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


async def deliveries(page: Page, status: int = 200, **extra: Any) -> Response:
    hook_id = page.request.path_params["id"]
    wanted = page.query("status") or None
    event_type = page.query("eventType").strip()
    try:
        offset = max(0, int(page.query("offset") or 0))
    except ValueError:
        offset = 0
    async with page.session() as s:
        hook = (await s.webhooks.get(hook_id)).to_dict()
        rows, total, _ = await s.webhooks.deliveries(
            hook_id, wanted, LOG_PAGE, offset, event_type or None
        )
    return page.render(
        "deliveries.html",
        status=status,
        hook=hook,
        rows=rows,
        total=total,
        offset=offset,
        limit=LOG_PAGE,
        statuses=DELIVERY_STATUSES,
        wanted=wanted or "",
        event_type=event_type,
        test=page.query("test"),
        **extra,
    )


async def resend(page: Page) -> Response:
    params = page.request.path_params
    async with page.session(write=True) as s:
        await s.webhooks.resend(params["id"], params["delivery"])
    return page.redirect(f"/webhooks/{params['id']}/deliveries?resent={params['delivery']}")


async def recover(page: Page) -> Response:
    hook_id = page.request.path_params["id"]
    try:
        since = _when(page.value("since"), "since")
        if since is None:
            raise ValidationError("since is required", field="since")
        until = _when(page.value("until"), "until")
        async with page.session(write=True) as s:
            count = await s.webhooks.recover(hook_id, since, until)
    except RolodexError as exc:
        return await deliveries(page, status=exc.status, error=exc.message)
    return await deliveries(page, notice=f"{count} failed deliveries are queued again.")


def routes(view: Any, admin: dict[str, Any]) -> list[Route]:
    from rolodex.console import live

    def r(path: str, fn: Any, method: str = "GET") -> Route:
        return Route(path, view(fn, **admin), methods=[method])

    return [
        r("/webhooks", list_hooks),
        r("/webhooks", create_hook, "POST"),
        r("/webhooks/{id}", show),
        r("/webhooks/{id}", update_hook, "POST"),
        r("/webhooks/{id}/status", set_status, "POST"),
        r("/webhooks/{id}/test", send_test, "POST"),
        r("/webhooks/{id}/rotate", rotate, "POST"),
        r("/webhooks/{id}/deliveries", deliveries),
        r("/webhooks/{id}/deliveries/{delivery}/resend", resend, "POST"),
        r("/webhooks/{id}/recover", recover, "POST"),
        r("/events", live.events_page),
        r("/events/stream", live.stream),
    ]
