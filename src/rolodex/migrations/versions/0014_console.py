"""The console's sign-in: members' credentials, their console sessions and one-time links.

A credential belongs to a ``member`` record (the standard object) and holds
its role (owner, admin or member) and, once set, an argon2 digest of its
password. Sessions and one-time sign-in links store only a SHA-256 digest of
their random token, with an expiry; signing out everywhere deletes all of a
member's sessions.

Revision ID: 0014_console
Revises: 0012_compression
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_console"
down_revision = "0013_search"
branch_labels = None
depends_on = None

UUID = sa.Uuid().with_variant(sa.String(36), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(24), "sqlite")


def upgrade() -> None:
    op.create_table(
        "member_credential",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "member_id", name="pk_member_credential"),
    )
    op.create_index(
        "uq_member_credential_email",
        "member_credential",
        ["workspace_id", "email"],
        unique=True,
    )
    # Sign-in names an email, not a workspace.
    op.create_index("ix_member_credential_by_email", "member_credential", ["email"])
    op.create_table(
        "console_session",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "digest", name="pk_console_session"),
    )
    op.create_index("ix_console_session_member", "console_session", ["workspace_id", "member_id"])
    op.create_table(
        "signin_link",
        sa.Column("workspace_id", UUID, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("member_id", UUID, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP),
        sa.PrimaryKeyConstraint("workspace_id", "digest", name="pk_signin_link"),
    )


def downgrade() -> None:
    op.drop_table("signin_link")
    op.drop_index("ix_console_session_member", table_name="console_session")
    op.drop_table("console_session")
    op.drop_index("ix_member_credential_by_email", table_name="member_credential")
    op.drop_index("uq_member_credential_email", table_name="member_credential")
    op.drop_table("member_credential")
