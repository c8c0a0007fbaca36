"""The standard objects every workspace starts with: person, company, note, task, member."""

from __future__ import annotations

from rolodex.metadata.model import (
    Behaviour,
    FieldDef,
    FieldType,
    ObjectDef,
    OnDelete,
    Option,
    Owned,
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


def _object(
    name: str, plural: str, label: str, label_plural: str, fields: list[FieldDef], **kw: object
) -> ObjectDef:
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


TASK_STATUS = (
    Option("TODO", "To do"),
    Option("IN_PROGRESS", "In progress"),
    Option("DONE", "Done"),
)


def standard_objects() -> dict[str, ObjectDef]:
    person = _object(
        "person",
        "people",
        "Person",
        "People",
        [
            FieldDef(
                "name",
                T.TEXT,
                "Name",
                column="name",
                indexed=True,
                searchable=True,
                description="Full name; kept consistent with firstName and lastName.",
            ),
            # Indexed fields here and below: migrations 0005_list_indexes and
            # 0008_ordering_and_text_indexes.
            FieldDef("firstName", T.TEXT, "First name", column="first_name", indexed=True),
            FieldDef("lastName", T.TEXT, "Last name", column="last_name", indexed=True),
            FieldDef(
                "email",
                T.EMAIL,
                "Email",
                column="email",
                unique=True,
                searchable=True,
                description="Unique among the workspace's people, ignoring case.",
            ),
            FieldDef("phone", T.PHONE, "Phone", column="phone", indexed=True),
            FieldDef(
                "jobTitle", T.TEXT, "Job title", column="job_title", indexed=True, searchable=True
            ),
            FieldDef("location", T.TEXT, "Location", column="location", indexed=True),
            FieldDef("tags", T.ARRAY, "Tags", column="tags", indexed=True),
            FieldDef(
                "consents",
                T.ARRAY,
                "Consents",
                column="consents",
                read_only=True,
                description="Purposes the person consents to now; set through "
                "/rest/people/{id}/consents. Filter with consents[contains]:newsletter.",
            ),
            *many_to_one("company", "company", "Company", "people"),
            *many_to_one("owner", "member", "Owner", "ownedPeople"),
            one_to_many("notes", "note", "Notes", "personId", "person"),
            one_to_many("tasks", "task", "Tasks", "personId", "person"),
        ],
        unique_keys=("email",),
        description="A contact: someone the workspace deals with.",
        behaviours=frozenset({Behaviour.FULL_NAME, Behaviour.CONSENT}),
        owned=(Owned("consent", "person_id"),),
    )

    company = _object(
        "company",
        "companies",
        "Company",
        "Companies",
        [
            FieldDef(
                "name",
                T.TEXT,
                "Name",
                column="name",
                required=True,
                nullable=False,
                indexed=True,
                searchable=True,
            ),
            FieldDef(
                "domain",
                T.TEXT,
                "Domain",
                column="domain",
                unique=True,
                searchable=True,
                settings={"format": "domain"},
                description="A host name such as acme.com, unique among the workspace's "
                "companies. Stored normalised: lowercase, without scheme, www., path, "
                "port or trailing dot (https://www.Acme.com/ is acme.com).",
            ),
            FieldDef("website", T.LINK, "Website", column="website", indexed=True),
            FieldDef(
                "employees",
                T.NUMBER,
                "Employees",
                column="employees",
                indexed=True,
                settings={"decimals": 0, "min": 0, "max": 2**31 - 1},
            ),
            FieldDef("address", T.TEXT, "Address", column="address"),
            FieldDef("tags", T.ARRAY, "Tags", column="tags", indexed=True),
            *many_to_one("owner", "member", "Owner", "ownedCompanies"),
            one_to_many("people", "person", "People", "companyId", "company"),
            one_to_many("notes", "note", "Notes", "companyId", "company"),
            one_to_many("tasks", "task", "Tasks", "companyId", "company"),
        ],
        unique_keys=("domain",),
        description="An organisation people work for.",
    )

    note = _object(
        "note",
        "notes",
        "Note",
        "Notes",
        [
            FieldDef("title", T.TEXT, "Title", column="title", indexed=True, searchable=True),
            FieldDef("body", T.TEXT, "Body", column="body", searchable=True),
            *many_to_one("author", "member", "Author", "authoredNotes"),
            *many_to_one("person", "person", "Person", "notes", on_delete=OnDelete.CASCADE),
            *many_to_one("company", "company", "Company", "notes", on_delete=OnDelete.CASCADE),
        ],
        label_field="title",
        description="A note attached to a person and/or a company.",
    )

    task = _object(
        "task",
        "tasks",
        "Task",
        "Tasks",
        [
            FieldDef(
                "title",
                T.TEXT,
                "Title",
                column="title",
                required=True,
                nullable=False,
                indexed=True,
                searchable=True,
            ),
            FieldDef("body", T.TEXT, "Body", column="body", searchable=True),
            FieldDef(
                "status",
                T.SELECT,
                "Status",
                column="status",
                options=TASK_STATUS,
                default="TODO",
                nullable=False,
                indexed=True,
            ),
            FieldDef("dueDate", T.DATE_TIME, "Due date", column="due_date", indexed=True),
            FieldDef(
                "completedAt",
                T.DATE_TIME,
                "Completed at",
                column="completed_at",
                read_only=True,
                indexed=True,
                description="When the task last reached DONE.",
            ),
            *many_to_one("assignee", "member", "Assignee", "assignedTasks"),
            *many_to_one("person", "person", "Person", "tasks", on_delete=OnDelete.CASCADE),
            *many_to_one("company", "company", "Company", "tasks", on_delete=OnDelete.CASCADE),
        ],
        label_field="title",
        description="Something to do, optionally for a person or company.",
        behaviours=frozenset({Behaviour.COMPLETION}),
    )

    member = _object(
        "member",
        "members",
        "Workspace member",
        "Workspace members",
        [
            FieldDef(
                "name",
                T.TEXT,
                "Name",
                column="name",
                required=True,
                nullable=False,
                indexed=True,
                searchable=True,
            ),
            FieldDef("email", T.EMAIL, "Email", column="email", unique=True, searchable=True),
            one_to_many("assignedTasks", "task", "Assigned tasks", "assigneeId", "assignee"),
            one_to_many("authoredNotes", "note", "Authored notes", "authorId", "author"),
            one_to_many("ownedPeople", "person", "Owned people", "ownerId", "owner"),
            one_to_many("ownedCompanies", "company", "Owned companies", "ownerId", "owner"),
        ],
        unique_keys=("email",),
        description="Someone who uses the CRM: assignee, author, owner.",
    )

    return {o.name: o for o in (person, company, note, task, member)}


# Names a custom object may not take: they are routes or standard objects.
RESERVED_PLURALS = frozenset(
    {
        "webhooks",
        "metadata",
        "search",
        "batch",
        "members",
        "open-api",
        "openapi",
        "docs",
        "graphql",
        "keys",
        "workspaces",
        "events",
        "healthz",
        "readyz",
        "people",
        "companies",
        "notes",
        "tasks",
        "webhook",
        "recordTimeline",
        "personConsents",
        "consentOptions",
        "customFieldDefinitions",
        "rest",
        "v2",
        "workspaceMembers",
    }
)
