"""Twenty's standard data model beside the seed's: new person and company fields,
and the opportunity object.

Person: ``emails``, ``phones``, ``linkedin_link``, ``x_link`` (JSON documents
of the composite types), ``city``, ``avatar_url``, ``position``. Company:
``domain_name``, ``postal_address``, ``annual_recurring_revenue``,
``linkedin_link``, ``x_link`` (JSON) and ``ideal_customer_profile``. Notes and
tasks gain ``opportunity_id``. ``field_options`` holds a workspace's own
options for a standard select field that allows it (an opportunity's
stage). The ``opportunity`` table is a record table like 0001's, with the
later migrations' additions (0006's generated columns on PostgreSQL, 0007's
live index, 0008's orderings).

Existing records get their composite twins from their flat values (a
person's ``emails`` from ``email``, ``phones`` from ``phone``, a company's
``domain_name`` from ``domain``, ``postal_address`` from ``address``), the
values records/mirrors.py keeps equal from now on, so every workspace has
the new fields at once and consistently.

Revision ID: 0015_twenty_model
Revises: 0012_compression
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0015_twenty_model"
down_revision = "0014_console"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
JSON = sa.JSON().with_variant(pg.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")

PERSON: list[tuple[str, Any]] = [
    ("emails", JSON),
    ("phones", JSON),
    ("city", sa.Text),
    ("avatar_url", sa.Text),
    ("linkedin_link", JSON),
    ("x_link", JSON),
    ("position", sa.Float),
]
COMPANY: list[tuple[str, Any]] = [
    ("domain_name", JSON),
    ("postal_address", JSON),
    ("annual_recurring_revenue", JSON),
    ("ideal_customer_profile", sa.Boolean),
    ("linkedin_link", JSON),
    ("x_link", JSON),
]
LIVE = sa.text("deleted_at IS NULL")


def _backfill(sqlite: bool) -> None:
    obj = "json_object" if sqlite else "jsonb_build_object"
    empty = "json('[]')" if sqlite else "'[]'::jsonb"
    op.execute(
        f"UPDATE person SET emails = {obj}('primaryEmail', email, 'additionalEmails', {empty}) "
        "WHERE email IS NOT NULL"
    )
    op.execute(
        f"UPDATE person SET phones = {obj}('primaryPhoneNumber', phone, "
        "'primaryPhoneCountryCode', NULL, 'primaryPhoneCallingCode', NULL, "
        f"'additionalPhones', {empty}) WHERE phone IS NOT NULL"
    )
    op.execute(
        f"UPDATE company SET domain_name = {obj}('primaryLinkUrl', 'https://' || domain, "
        f"'primaryLinkLabel', NULL, 'secondaryLinks', {empty}) WHERE domain IS NOT NULL"
    )
    parts = ", ".join(
        f"'{p}', NULL"
        for p in (
            "addressStreet2",
            "addressCity",
            "addressPostcode",
            "addressState",
            "addressCountry",
            "addressLat",
            "addressLng",
        )
    )
    op.execute(
        f"UPDATE company SET postal_address = {obj}('addressStreet1', address, {parts}) "
        "WHERE address IS NOT NULL"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in (("person", PERSON), ("company", COMPANY)):
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_))
    for table in ("note", "task"):
        op.add_column(table, sa.Column("opportunity_id", UUID))
        op.create_index(f"ix_{table}_opportunity_id", table, ["workspace_id", "opportunity_id"])
    _backfill(sqlite)

    op.create_table(
        "field_options",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("object_name", sa.Text, nullable=False),
        sa.Column("field_name", sa.Text, nullable=False),
        sa.Column("options", JSON, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint(
            "workspace_id", "object_name", "field_name", name="pk_field_options"
        ),
    )
    op.create_table(
        "opportunity",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("amount", JSON),
        sa.Column("close_date", TS),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("probability", sa.Float),
        sa.Column("point_of_contact_id", UUID),
        sa.Column("company_id", UUID),
        sa.Column("owner_id", UUID),
        sa.Column("custom", JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
        sa.Column("created_by", JSON),
        sa.Column("updated_by", JSON),
        sa.PrimaryKeyConstraint("workspace_id", "id", name="pk_opportunity"),
    )
    op.create_index("ix_opportunity_created", "opportunity", ["workspace_id", "created_at", "id"])
    op.create_index(
        "ix_opportunity_live",
        "opportunity",
        ["workspace_id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    for column in ("point_of_contact_id", "company_id", "owner_id"):
        op.create_index(f"ix_opportunity_{column}", "opportunity", ["workspace_id", column])
    # Orderings lists offer (0008's pattern): name and stage are NOT NULL.
    for column in ("name", "stage", "updated_at"):
        op.create_index(
            f"ix_opportunity_{column}_order", "opportunity", ["workspace_id", column, "id"]
        )
    op.create_index(
        "ix_opportunity_close_date", "opportunity", ["workspace_id", "close_date", "id"]
    )
    if not sqlite:
        op.execute(
            "CREATE INDEX ix_opportunity_close_date_nf ON opportunity "
            "(workspace_id, close_date NULLS FIRST, id)"
        )
        op.execute(
            "ALTER TABLE opportunity"
            " ADD COLUMN custom_text text GENERATED ALWAYS AS (custom::text) STORED,"
            " ADD COLUMN custom_size integer GENERATED ALWAYS AS"
            " (jsonb_array_length(jsonb_path_query_array(custom, '$.*'))) STORED"
        )


def downgrade() -> None:
    op.drop_table("opportunity")
    op.drop_table("field_options")
    for table in ("note", "task"):
        op.drop_index(f"ix_{table}_opportunity_id", table_name=table)
    for table, names in (
        ("note", ["opportunity_id"]),
        ("task", ["opportunity_id"]),
        ("person", [n for n, _ in PERSON]),
        ("company", [n for n, _ in COMPANY]),
    ):
        with op.batch_alter_table(table) as batch:
            for name in names:
                batch.drop_column(name)
