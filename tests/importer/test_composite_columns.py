"""Import files with one column per sub-field of a composite field, as Twenty exports
them (``address.addressCity``, ``name.firstName``), and exports that read back."""

from __future__ import annotations

from pathlib import Path

from tests.importer.helpers import Jobs


def test_sub_field_columns(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "companies.csv"
    path.write_text(
        "name,domainName.primaryLinkUrl,address.addressCity,address.addressCountry,"
        "address.addressLat\n"
        "Acme,https://acme.com,Paris,France,48.86\n"
        "Bolt,,Lyon,,\n"
    )
    s = jobs.imp(path, "companies")
    assert (s.created, s.rejected) == (2, 0), s
    by_name = {c["name"]: c for c in jobs.records("companies")}
    acme = by_name["Acme"]
    assert acme["postalAddress"]["addressCity"] == "Paris"
    assert acme["postalAddress"]["addressLat"] == 48.86
    assert acme["address"] == "Paris, France" and acme["domain"] == "acme.com"
    assert by_name["Bolt"]["postalAddress"]["addressCountry"] is None

    people = tmp_path / "people.csv"
    people.write_text(
        "name.firstName,name.lastName,emails.primaryEmail\nAda,Lovelace,ada@acme.com\n"
    )
    s = jobs.imp(people)
    assert (s.created, s.rejected) == (1, 0), s
    (ada,) = jobs.records()
    assert ada["name"] == "Ada Lovelace" and ada["emails"]["primaryEmail"] == "ada@acme.com"
    assert ada["email"] == "ada@acme.com"


def test_export_reads_back(jobs: Jobs, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,address.addressCity\nAcme,Paris\n")
    jobs.imp(path, "companies")
    out = tmp_path / "out.csv"
    out.write_text(jobs.export("companies"))
    other = jobs.workspace("other")
    s = jobs.imp(out, "companies", workspace=other)
    assert (s.created, s.rejected) == (1, 0), s
    (copy,) = jobs.records("companies", workspace=other)
    assert copy["postalAddress"]["addressCity"] == "Paris"
