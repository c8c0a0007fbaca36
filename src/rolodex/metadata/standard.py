"""The standard objects every workspace starts with: people, companies, notes, tasks,
members and opportunities."""

from __future__ import annotations

from rolodex.metadata.definitions import T, many_to_one, object_def, one_to_many, twenty
from rolodex.metadata.model import (
    Behaviour,
    FieldDef,
    Mirror,
    ObjectDef,
    OnDelete,
    Option,
    Owned,
)

# Twenty's opportunity stages, in its order.
OPPORTUNITY_STAGES = (
    Option("NEW", "New", "red"),
    Option("SCREENING", "Screening", "purple"),
    Option("MEETING", "Meeting", "sky"),
    Option("PROPOSAL", "Proposal", "turquoise"),
    Option("CUSTOMER", "Customer", "yellow"),
)


TASK_STATUS = (
    Option("TODO", "To do"),
    Option("IN_PROGRESS", "In progress"),
    Option("DONE", "Done"),
)


def standard_objects() -> dict[str, ObjectDef]:
    person = object_def(
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
            # Twenty's standard fields (migration 0015_twenty_model).
            FieldDef(
                "emails",
                T.EMAILS,
                "Emails",
                column="emails",
                description=twenty("primaryEmail is email: writing either sets both"),
            ),
            FieldDef(
                "phones",
                T.PHONES,
                "Phones",
                column="phones",
                description=twenty("primaryPhoneNumber is phone: writing either sets both"),
            ),
            FieldDef("city", T.TEXT, "City", column="city", description=twenty("City")),
            FieldDef("avatarUrl", T.TEXT, "Avatar URL", column="avatar_url"),
            FieldDef("linkedinLink", T.LINKS, "LinkedIn", column="linkedin_link"),
            FieldDef("xLink", T.LINKS, "X", column="x_link"),
            FieldDef(
                "position",
                T.NUMBER,
                "Position",
                column="position",
                description=twenty("The record's place in a manual ordering"),
            ),
            *many_to_one("company", "company", "Company", "people"),
            *many_to_one("owner", "member", "Owner", "ownedPeople"),
            one_to_many("notes", "note", "Notes", "personId", "person"),
            one_to_many("tasks", "task", "Tasks", "personId", "person"),
            one_to_many(
                "pointOfContactForOpportunities",
                "opportunity",
                "Opportunities (point of contact)",
                "pointOfContactId",
                "pointOfContact",
            ),
        ],
        unique_keys=("email",),
        mirrors=(
            Mirror("email", "emails", "part", "primaryEmail"),
            Mirror("phone", "phones", "phone"),
        ),
        description="A contact: someone the workspace deals with.",
        behaviours=frozenset({Behaviour.FULL_NAME, Behaviour.CONSENT}),
        owned=(Owned("consent", "person_id"),),
    )

    company = object_def(
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
            FieldDef(
                "address",
                T.TEXT,
                "Address",
                column="address",
                description="One line of text; postalAddress on one line.",
            ),
            FieldDef("tags", T.ARRAY, "Tags", column="tags", indexed=True),
            # Twenty's standard fields (migration 0015_twenty_model).
            FieldDef(
                "domainName",
                T.LINKS,
                "Domain name",
                column="domain_name",
                description=twenty(
                    "domain is the host of primaryLinkUrl: writing either sets both"
                ),
            ),
            FieldDef(
                "postalAddress",
                T.ADDRESS,
                "Postal address",
                column="postal_address",
                description="The address in parts (Twenty's address); address is it on one line.",
            ),
            FieldDef(
                "annualRecurringRevenue",
                T.CURRENCY,
                "Annual recurring revenue",
                column="annual_recurring_revenue",
            ),
            FieldDef(
                "idealCustomerProfile",
                T.BOOLEAN,
                "Ideal customer profile",
                column="ideal_customer_profile",
            ),
            FieldDef("linkedinLink", T.LINKS, "LinkedIn", column="linkedin_link"),
            FieldDef("xLink", T.LINKS, "X", column="x_link"),
            *many_to_one("owner", "member", "Owner", "ownedCompanies"),
            one_to_many("people", "person", "People", "companyId", "company"),
            one_to_many("notes", "note", "Notes", "companyId", "company"),
            one_to_many("tasks", "task", "Tasks", "companyId", "company"),
            one_to_many("opportunities", "opportunity", "Opportunities", "companyId", "company"),
        ],
        unique_keys=("domain",),
        mirrors=(
            Mirror("domain", "domainName", "domain"),
            Mirror("address", "postalAddress", "address"),
        ),
        description="An organisation people work for.",
    )

    note = object_def(
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
            *many_to_one(
                "opportunity", "opportunity", "Opportunity", "notes", on_delete=OnDelete.CASCADE
            ),
        ],
        label_field="title",
        description="A note attached to a person, a company and/or an opportunity.",
    )

    task = object_def(
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
            *many_to_one(
                "opportunity", "opportunity", "Opportunity", "tasks", on_delete=OnDelete.CASCADE
            ),
        ],
        label_field="title",
        description="Something to do, optionally for a person, company or opportunity.",
        behaviours=frozenset({Behaviour.COMPLETION}),
    )

    member = object_def(
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
            one_to_many(
                "ownedOpportunities", "opportunity", "Owned opportunities", "ownerId", "owner"
            ),
        ],
        unique_keys=("email",),
        description="Someone who uses the CRM: assignee, author, owner.",
    )

    opportunity = object_def(
        "opportunity",
        "opportunities",
        "Opportunity",
        "Opportunities",
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
            FieldDef("amount", T.CURRENCY, "Amount", column="amount"),
            FieldDef("closeDate", T.DATE_TIME, "Close date", column="close_date", indexed=True),
            FieldDef(
                "stage",
                T.SELECT,
                "Stage",
                column="stage",
                options=OPPORTUNITY_STAGES,
                default="NEW",
                nullable=False,
                indexed=True,
                # Each workspace may set its own stages (PATCH .../opportunity.stage).
                settings={"editableOptions": True},
                description="Twenty's stages by default; a workspace may set its own.",
            ),
            FieldDef(
                "probability",
                T.NUMBER,
                "Probability",
                column="probability",
                settings={"min": 0, "max": 100},
                description="How likely the deal is to close, in percent.",
            ),
            *many_to_one(
                "pointOfContact", "person", "Point of contact", "pointOfContactForOpportunities"
            ),
            *many_to_one("company", "company", "Company", "opportunities"),
            *many_to_one("owner", "member", "Owner", "ownedOpportunities"),
            one_to_many("notes", "note", "Notes", "opportunityId", "opportunity"),
            one_to_many("tasks", "task", "Tasks", "opportunityId", "opportunity"),
        ],
        description="A deal: something the workspace hopes to sell, at a stage.",
    )

    return {o.name: o for o in (person, company, note, task, member, opportunity)}


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
        "opportunities",
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
