"""The webhook form's filter builder: rows of the form to subscriptions, and back.

Each subscription row names an event type (``person.updated``,
``person.changed``, ``*``), whether all or any of its conditions must hold,
and condition rows of a field, an operator of the webhook filter language
(``webhooks/matching.py``, ``changed`` included) and a value. The webhook
service validates the result, with the API's messages.
"""

from __future__ import annotations

from typing import Any

from rolodex.kit import jsonutil
from rolodex.kit.errors import ValidationError
from rolodex.webhooks.matching import OPERATORS

OPS = sorted(OPERATORS)
NO_VALUE = ("exists", "changed")
BLANK_SUBS = 1
BLANK_CONDS = 2
MAX_ROWS = 50


def _value(op: str, text: str) -> Any:
    text = text.strip()
    if op in ("in", "not_in"):
        return [_scalar(v) for v in text.split(",") if v.strip()]
    if op in NO_VALUE:
        return text.lower() != "false"
    return _scalar(text)


def _scalar(text: str) -> Any:
    """A number, true/false or null as JSON; anything else as the text it is."""
    text = text.strip()
    if text in ("true", "false", "null") or _number(text):
        return jsonutil.loads(text)
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text[:1].isdigit() or text[:1] == "-"


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def from_form(form: dict[str, list[str]]) -> Any:
    """Subscriptions from the form's rows; None (every event) when there are none.

    The "JSON" text area, when filled, is taken as it is instead.
    """
    raw = (form.get("subscriptions_json") or [""])[0].strip()
    if raw:
        try:
            value = jsonutil.loads(raw)
        except Exception:
            raise ValidationError(
                "subscriptions (JSON) is not valid JSON", field="subscriptions"
            ) from None
        return value
    subs: list[dict[str, Any]] = []
    for i in range(MAX_ROWS):
        event = _first(form, f"sub-{i}-event")
        if event is None:
            break
        if not event.strip():
            continue
        conds = []
        for j in range(MAX_ROWS):
            fld = _first(form, f"sub-{i}-cond-{j}-field")
            if fld is None:
                break
            if not fld.strip():
                continue
            op = (form.get(f"sub-{i}-cond-{j}-op") or ["equals"])[0]
            cond: dict[str, Any] = {"field": fld.strip(), "operator": op}
            text = (form.get(f"sub-{i}-cond-{j}-value") or [""])[0]
            if op not in NO_VALUE or text.strip():
                cond["value"] = _value(op, text)
            conds.append(cond)
        match = "$or" if (form.get(f"sub-{i}-match") or ["all"])[0] == "any" else "$and"
        subs.append({"eventType": event.strip(), "filter": {match: conds} if conds else None})
    everything = (form.get("all_events") or [""])[0] == "1"
    return None if everything or not subs else subs


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, str):
        return value
    return jsonutil.dumps_str(value)


def to_rows(subscriptions: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]], str]:
    """Rows for the form (with blank ones to add to), and the JSON of what does not fit
    the rows (nested groups): the form then shows the JSON alone."""
    rows: list[dict[str, Any]] = []
    nested = False
    for sub in subscriptions or []:
        flt = sub.get("filter") or {}
        key = "$or" if "$or" in flt else "$and"
        conds = []
        for c in flt.get(key, []) if isinstance(flt, dict) else []:
            if "field" not in c:
                nested = True
                continue
            conds.append(
                {"field": c["field"], "op": c["operator"], "value": _text(c.get("value", ""))}
            )
        conds += [{"field": "", "op": "equals", "value": ""}] * BLANK_CONDS
        rows.append(
            {
                "event": sub.get("eventType", ""),
                "match": "any" if key == "$or" else "all",
                "conds": conds,
            }
        )
    for _ in range(BLANK_SUBS):
        rows.append(
            {
                "event": "",
                "match": "all",
                "conds": [{"field": "", "op": "equals", "value": ""}] * BLANK_CONDS,
            }
        )
    text = jsonutil.dumps_str(subscriptions) if nested and subscriptions else ""
    return rows, text
