"""The registry's view of storage agrees with what the migrations created."""

import pytest
import sqlalchemy as sa

from rolodex.kit.migrate import sync_url
from rolodex.metadata.registry import standard
from rolodex.metadata.storage import DERIVED_COLUMNS, table_for


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_registry_tables_match_migrations(db_url):
    engine = sa.create_engine(sync_url(db_url))
    try:
        inspector = sa.inspect(engine)
        derived = set(DERIVED_COLUMNS) if engine.dialect.name == "postgresql" else set()
        for obj in standard().objects.values():
            expected = {c.name for c in table_for(obj).columns} | derived
            actual = {c["name"] for c in inspector.get_columns(obj.table)}
            assert expected == actual, obj.name
            pk = inspector.get_pk_constraint(obj.table)["constrained_columns"]
            assert pk == ["workspace_id", "id"], obj.name
            for index in inspector.get_indexes(obj.table):
                assert index["column_names"][0] == "workspace_id" or (
                    index.get("expressions") or [""]
                )[0].startswith("workspace_id"), index
    finally:
        engine.dispose()


def test_every_field_is_stored_or_a_relation():
    for obj in standard().objects.values():
        for f in obj.fields.values():
            assert f.column is not None or f.relation is not None, (obj.name, f.name)
            if f.relation is not None:
                assert f.relation.join_field in obj.fields or f.relation.target in {
                    o.name for o in standard().objects.values()
                }
