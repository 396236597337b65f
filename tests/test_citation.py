"""CITATION.cff is valid Citation File Format, and LICENSE is the license the package declares.

The schema, ``tests/data/citation-file-format-1.2.0.schema.json``, is the format's own (version
1.2.0, published at https://citation-file-format.github.io/1.2.0/schema.json under CC-BY-4.0),
copied unchanged from the cffconvert 2.0.0 wheel, whose ``cffconvert --validate`` checks a file
against it. cffconvert itself is not a test dependency: it requires jsonschema < 4, which would
downgrade what other installed packages need.
"""

import json
import tomllib

import jsonschema
import pytest
import yaml

from conftest import PROJECT

SCHEMA = json.loads((PROJECT / "tests" / "data" / "citation-file-format-1.2.0.schema.json").read_text())


def problems(citation):
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{'.'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(citation)]


def test_citation_file_is_valid_and_cites_what_the_project_builds_on():
    citation = yaml.safe_load((PROJECT / "CITATION.cff").read_text())
    assert problems(citation) == []
    cited = " ".join(reference["title"] for reference in citation["references"])
    for work in ("Musical genre classification", "GTZAN dataset: Its contents, its faults", "music adversaries",
                 "musicnn", "Confident learning"):
        assert work in cited
    metadata = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    assert citation["version"] == metadata["version"] and citation["license"] == metadata["license"]["text"]


@pytest.mark.parametrize("broken", [{"title": None}, {"cff-version": "1.2"}, {"date-released": "1 Dec 2026"}])
def test_the_schema_check_finds_a_broken_citation(broken):
    citation = {**yaml.safe_load((PROJECT / "CITATION.cff").read_text()), **broken}
    assert problems({k: v for k, v in citation.items() if v is not None})


def test_license_is_the_mit_license_the_package_declares():
    text = (PROJECT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text
    assert tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["license"] == {"text": "MIT"}
