"""The metadata API in the OpenAPI document.

``/rest/metadata/objects``, ``/fields`` and ``/picklists`` follow
metadata/schemas.py and metadata/objects.py.
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import (
    AUTH,
    BODY,
    BOOL_FLAG,
    UUID,
    Schema,
    closed,
    data,
    errors,
    link,
    nullable,
    ok,
    op,
    path_param,
    query,
    ref,
)
from rolodex.metadata import fieldtypes

TAG = "Metadata"
READ, WRITE = "Needs scope `metadata:read`.", "Needs scope `metadata:read-write`."
_IDENT: Schema = {
    "type": "string",
    "pattern": "^\\s*[a-z][a-zA-Z0-9]{0,62}\\s*$",
    "description": "camelCase, starting with a lowercase letter, at most 63 characters "
    "(snake_case is accepted and converted).",
}
_LABEL: Schema = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}
_TEXT: Schema = {"type": ["string", "null"], "maxLength": 2000}
_OPTION: Schema = {
    "anyOf": [
        {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
        closed(
            {
                "value": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
                "label": {"type": ["string", "null"]},
                "color": {"type": ["string", "null"]},
            },
            ["value"],
        ),
    ]
}
_OPTIONS: Schema = {
    "type": ["array", "null"],
    "items": _OPTION,
    "maxItems": 500,
    "description": "The choices of a SELECT or MULTI_SELECT field (values unique).",
}


def _type_schema() -> Schema:
    """The types a custom field may have, as registered when the document is built."""
    types = fieldtypes.custom_types()
    return {"type": "string", "enum": types + [t.lower() for t in types]}


FIELD_OPTION: Schema = {
    "type": "object",
    "properties": {
        "value": {"type": "string"},
        "label": {"type": "string"},
        "color": {"type": ["string", "null"]},
    },
    "required": ["value", "label", "color"],
}
FIELD: Schema = {
    "type": "object",
    "description": "A field definition; standard fields have ids such as `person.email`.",
    "properties": {
        "id": {"type": "string"},
        "objectName": {"type": "string"},
        "name": {"type": "string"},
        "label": {"type": "string"},
        "type": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "isCustom": {"type": "boolean"},
        "isSystem": {"type": "boolean"},
        "isReadOnly": {"type": "boolean"},
        "isNullable": {"type": "boolean"},
        "isRequired": {"type": "boolean"},
        "isUnique": {"type": "boolean"},
        "isIndexed": {"type": "boolean"},
        "isSearchable": {"type": "boolean"},
        "isActive": {"type": "boolean"},
        "defaultValue": {},
        "options": {"type": ["array", "null"], "items": ref("FieldOption")},
        "settings": {"type": ["object", "null"]},
        "relationTarget": {"type": ["string", "null"]},
        "relationType": {"type": ["string", "null"]},
        "relationJoinField": {"type": ["string", "null"]},
        "schema": {"type": "object", "description": "The JSON Schema of the field's values."},
    },
    "required": ["id", "objectName", "name"],
}
OBJECT: Schema = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "nameSingular": {"type": "string"},
        "namePlural": {"type": "string"},
        "labelSingular": {"type": "string"},
        "labelPlural": {"type": "string"},
        "description": {"type": ["string", "null"]},
        "isCustom": {"type": "boolean"},
        "isActive": {"type": "boolean"},
        "uniqueKeys": {"type": "array", "items": {"type": "string"}},
        "fields": {"type": "array", "items": ref("Field")},
    },
    "required": ["id", "name", "namePlural", "fields"],
}
_FIELD_PROPS: dict[str, Schema] = {
    "name": _IDENT,
    "label": _LABEL,
    "type": _type_schema(),
    "description": _TEXT,
    "options": _OPTIONS,
    "defaultValue": {"description": "A value of the field's type."},
    "isNullable": {"type": "boolean"},
    "isIndexed": {"type": "boolean"},
    "isSearchable": {
        "type": "boolean",
        "description": "Text types only: keep the field's text in the search index.",
    },
    "settings": {
        "type": ["object", "null"],
        "description": "NUMBER: `decimals` (0-8), `min`, `max`; RATING: `max` (1-10).",
    },
}
FIELD_CREATE = closed(
    {
        **_FIELD_PROPS,
        "objectName": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "The object, by name.",
        },
        "object": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "description": "Same as `objectName`.",
        },
        "isUnique": {"type": "boolean"},
        "relationTarget": {"type": "string", "description": "For RELATION: the target object."},
        "inverseName": _IDENT,
        "inverseLabel": _LABEL,
    },
    ["name", "type"],
    anyOf=[{"required": ["objectName"]}, {"required": ["object"]}],
)
FIELD_UPDATE = closed({**_FIELD_PROPS, "isActive": {"type": "boolean"}})
_OBJECT_PROPS: dict[str, Schema] = {
    "nameSingular": _IDENT,
    "namePlural": _IDENT,
    "name": {**_IDENT, "description": "Same as `nameSingular`."},
    "plural": {**_IDENT, "description": "Same as `namePlural`."},
    "labelSingular": nullable(_LABEL),
    "labelPlural": nullable(_LABEL),
    "label": nullable(_LABEL),
    "description": _TEXT,
}
OBJECT_CREATE = closed(
    dict(_OBJECT_PROPS), anyOf=[{"required": ["nameSingular"]}, {"required": ["name"]}]
)
OBJECT_UPDATE = closed({**_OBJECT_PROPS, "isActive": {"type": "boolean"}})

PICKLIST: Schema = {
    "type": "object",
    "properties": {
        "objectName": {"type": "string"},
        "fieldName": {"type": "string"},
        "type": {"type": "string"},
        "options": {"type": "array", "items": ref("FieldOption")},
    },
    "required": ["objectName", "fieldName", "type", "options"],
}


def _with_types(schema: Schema) -> Schema:
    return {**schema, "properties": {**schema["properties"], "type": _type_schema()}}


def metadata_schemas() -> dict[str, Schema]:
    return {
        "Field": FIELD,
        "FieldOption": FIELD_OPTION,
        "FieldCreateInput": _with_types(FIELD_CREATE),
        "FieldUpdateInput": _with_types(FIELD_UPDATE),
        "Object": OBJECT,
        "ObjectCreateInput": OBJECT_CREATE,
        "ObjectUpdateInput": OBJECT_UPDATE,
        "Picklist": PICKLIST,
    }


def one(key: str, schema: str, description: str = "OK", **kw: Schema) -> Schema:
    return ok(data(key, ref(schema)), description, **kw)


def _objects() -> dict[str, Schema]:
    name = path_param("name", {"type": "string"}, "The object's name, plural or id.")
    purge = query("purge", BOOL_FLAG, "On a deactivated custom object: delete its records.")
    links = {
        n: link(n, "/data/createObject/name", "name")
        for n in ("getObject", "updateObject", "deleteObject")
    }
    return {
        "/rest/metadata/objects": {
            "get": op(
                TAG,
                "listObjects",
                "Every object with its fields",
                {
                    "200": ok(data("objects", {"type": "array", "items": ref("Object")})),
                    **errors(*AUTH),
                },
                READ,
            ),
            "post": op(
                TAG,
                "createObject",
                "Create a custom object",
                {
                    "201": one("createObject", "Object", "Created", links=links),
                    **errors(*BODY, 409),
                },
                WRITE,
                ref("ObjectCreateInput"),
            ),
        },
        "/rest/metadata/objects/{name}": {
            "parameters": [name],
            "get": op(
                TAG,
                "getObject",
                "Get an object",
                {"200": one("object", "Object"), **errors(*AUTH, 404)},
                READ,
            ),
            "patch": op(
                TAG,
                "updateObject",
                "Rename or relabel a custom object",
                {"200": one("updateObject", "Object"), **errors(*BODY, 404, 409)},
                WRITE,
                ref("ObjectUpdateInput"),
            ),
            "delete": op(
                TAG,
                "deleteObject",
                "Deactivate a custom object (records kept)",
                {"200": one("deleteObject", "Object"), **errors(*AUTH, 404, 409)},
                f"`purge=true` on a deactivated object deletes its records. {WRITE}",
                parameters=[purge],
            ),
        },
        "/rest/metadata/objects/{name}/restore": {
            "parameters": [name],
            "post": op(
                TAG,
                "restoreObject",
                "Reactivate a custom object",
                {"200": one("restoreObject", "Object"), **errors(*AUTH, 404, 409)},
                WRITE,
            ),
        },
        "/rest/metadata/picklists": {
            "get": op(
                TAG,
                "listPicklists",
                "The options of every select field",
                {
                    "200": ok(data("picklists", {"type": "array", "items": ref("Picklist")})),
                    **errors(*AUTH),
                },
                READ,
            ),
        },
    }


def _fields() -> dict[str, Schema]:
    # A standard field is named <object>.<field> (get, and update of isIndexed).
    standard_id = {"type": "string", "pattern": "^[a-z][A-Za-z0-9_]*\\.[a-z][A-Za-z0-9]*$"}
    fid = path_param(
        "id",
        {"oneOf": [UUID, standard_id]},
        "A custom field's id; or a standard field's, such as person.phone, to read it "
        "or to change its isIndexed.",
    )
    purge = query("purge", BOOL_FLAG, "On a deactivated field: remove its data.")
    links = {n: link(n, "/data/createField/id") for n in ("getField", "updateField", "deleteField")}
    return {
        "/rest/metadata/fields": {
            "get": op(
                TAG,
                "listFields",
                "List fields",
                {
                    "200": ok(data("fields", {"type": "array", "items": ref("Field")})),
                    **errors(*AUTH, 404),
                },
                READ,
                parameters=[
                    query("object", {"type": "string"}, "Only this object's fields."),
                    query("objectName", {"type": "string"}, "Same as `object`."),
                    query("includeInactive", BOOL_FLAG, "Deactivated fields too."),
                ],
            ),
            "post": op(
                TAG,
                "createField",
                "Create a custom field",
                {
                    "201": one("createField", "Field", "Created", links=links),
                    **errors(*BODY, 404, 409),
                },
                f"`objectName` (or `object`) names the object. {WRITE}",
                ref("FieldCreateInput"),
            ),
        },
        "/rest/metadata/fields/{id}": {
            "parameters": [fid],
            "get": op(
                TAG,
                "getField",
                "Get a custom field",
                {"200": one("field", "Field"), **errors(*AUTH, 404)},
                READ,
            ),
            "patch": op(
                TAG,
                "updateField",
                "Change a custom field",
                {"200": one("updateField", "Field"), **errors(*BODY, 404, 409)},
                WRITE,
                ref("FieldUpdateInput"),
            ),
            "delete": op(
                TAG,
                "deleteField",
                "Deactivate a custom field (data kept)",
                {"200": one("deleteField", "Field"), **errors(*AUTH, 404, 409)},
                WRITE,
                parameters=[purge],
            ),
        },
        "/rest/metadata/fields/{id}/restore": {
            "parameters": [fid],
            "post": op(
                TAG,
                "restoreField",
                "Reactivate a custom field",
                {"200": one("restoreField", "Field"), **errors(*AUTH, 404, 409)},
                WRITE,
            ),
        },
    }


def metadata_paths() -> dict[str, Schema]:
    return {**_objects(), **_fields()}
