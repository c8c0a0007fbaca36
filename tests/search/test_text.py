"""Folding and splitting text for the search index (no database)."""

from __future__ import annotations

import pytest

from rolodex.kit.errors import ValidationError
from rolodex.metadata.registry import standard
from rolodex.search.text import MAX_DOCUMENT, document, fold, parse_query, words


def test_fold_and_words() -> None:
    assert fold("Zoë Ærøskøbing") == "zoe aeroskobing"
    assert fold("STRASSE Straße") == "strasse strasse"
    assert fold("Łukasz Wałęsa") == "lukasz walesa"
    assert words("ada.lovelace@analytical-engine.org") == [
        "ada",
        "lovelace",
        "analytical",
        "engine",
        "org",
    ]
    assert words("snake_case, O'Brien; 4242") == ["snake", "case", "o", "brien", "4242"]
    assert words("Ｆｕｌｌ width") == ["full", "width"]  # compatibility forms fold too


def test_parse_query() -> None:
    assert parse_query("  ADA  Lov ").words == ("ada", "lov")
    assert parse_query("ada ada").words == ("ada",)
    assert len(parse_query(" ".join(f"w{i}" for i in range(20))).words) == 8
    for bad in (None, 42, "", "   ", "!!!", "x" * 201):
        with pytest.raises(ValidationError) as caught:
            parse_query(bad)
        assert caught.value.field == "query"


def test_documents() -> None:
    registry = standard()
    person = registry.object("person")
    doc = document(
        person,
        {
            "id": "0",
            "name": "Zoë Kravitz",
            "email": "zoe@x.io",
            "jobTitle": "Actress",
            "phone": "1",
        },
    )
    assert (doc.label, doc.label_words, doc.body) == (
        "Zoë Kravitz",
        "zoe kravitz",
        "zoe kravitz zoe x io actress",
    )
    nameless = document(person, {"id": "0", "email": "zoe@x.io"})
    assert nameless.label == "zoe@x.io"  # the first searchable text names it
    note = document(registry.object("note"), {"id": "0", "title": None, "body": "word " * 10_000})
    assert len(note.body) <= MAX_DOCUMENT and note.body.endswith("word")
