"""The pieces standard object definitions are written with: system fields, the two
sides of a relation, an object with its system fields in place."""

from __future__ import annotations

from rolodex.metadata.model import (
    FieldDef,
    FieldType,
    ObjectDef,
    OnDelete,
    Relation,
    RelationKind,
)

T = FieldType


def system_fields() -> list[FieldDef]:
    """Fields every record has: id, timestamps and actors."""
    return [
        FieldDef("id", T.UUID, "Id", column="id", nullable=False, system=True, unique=True),
        FieldDef(
            "createdAt",
            T.DATE_TIME,
            "Created at",
            column="created_at",
            system=True,
            read_only=True,
            nullable=False,
            indexed=True,
        ),
        FieldDef(
            "updatedAt",
            T.DATE_TIME,
            "Updated at",
            column="updated_at",
            system=True,
            read_only=True,
            nullable=False,
            indexed=True,
        ),
        FieldDef(
            "deletedAt", T.DATE_TIME, "Deleted at", column="deleted_at", system=True, read_only=True
        ),
        FieldDef(
            "createdBy", T.ACTOR, "Created by", column="created_by", system=True, read_only=True
        ),
        FieldDef(
            "updatedBy", T.ACTOR, "Updated by", column="updated_by", system=True, read_only=True
        ),
    ]


def many_to_one(
    name: str, target: str, label: str, inverse: str, *, on_delete: OnDelete = OnDelete.SET_NULL
) -> list[FieldDef]:
    """A to-one relation: the id field that stores it and the relation field that embeds it."""
    join = f"{name}Id"
    column = "".join("_" + c.lower() if c.isupper() else c for c in join)
    return [
        FieldDef(
            join,
            T.UUID,
            f"{label} id",
            column=column,
            indexed=True,
            description=f"The id of the {target} this record points at.",
        ),
        FieldDef(
            name,
            T.RELATION,
            label,
            relation=Relation(RelationKind.MANY_TO_ONE, target, join, inverse, on_delete),
        ),
    ]


def one_to_many(name: str, target: str, label: str, via: str, inverse: str) -> FieldDef:
    """The inverse side of a ``many_to_one``: the records that point at this one."""
    return FieldDef(
        name, T.RELATION, label, relation=Relation(RelationKind.ONE_TO_MANY, target, via, inverse)
    )


def object_def(
    name: str, plural: str, label: str, label_plural: str, fields: list[FieldDef], **kw: object
) -> ObjectDef:
    """A standard object: ``fields`` between the id and the other system fields."""
    system = system_fields()
    all_fields = system[:1] + fields + system[1:]
    return ObjectDef(
        name=name,
        plural=plural,
        label=label,
        label_plural=label_plural,
        table=name,
        fields={f.name: f for f in all_fields},
        **kw,  # type: ignore[arg-type]
    )


def twenty(description: str) -> str:
    """A description that says the field is one of Twenty's standard fields."""
    return f"{description} (Twenty's standard field.)"
