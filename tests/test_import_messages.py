"""Every refusal of the bad-file corpus (tests/make_bad_files.py, with issue #28's look-alike
masks, duplicated header, invisible/full-width ids and damaged files) is one clear line in
Chinese and English naming the file, never a library's own text; and a library error is
turned into such a line wherever it comes from."""

from __future__ import annotations

import zipfile

import pytest
import shapely
from make_bad_files import LIBRARY_TEXTS, attack_files, build_tiny_store

from geo.importer import library_errors, plan_import


@pytest.fixture(scope="module")
def corpus_plans(tmp_path_factory):
    """The issue #28 part of the corpus (the whole corpus is checked for library text by
    tests/test_import.py, case by case)."""
    folder = tmp_path_factory.mktemp("bad28")
    store = build_tiny_store(tmp_path_factory.mktemp("store28") / "small.gpkg")
    return {case.kind: (case, plan_import([folder / f for f in case.files], store))
            for case in attack_files(folder)}


def _library_text(message: str) -> list[str]:
    return [t for t in LIBRARY_TEXTS if t.lower() in message.lower()]


def test_no_refusal_of_the_attack_files_is_a_library_s_own_text(corpus_plans):
    offending = []
    for kind, (case, plan) in corpus_plans.items():
        assert [p for p in plan.problems if p.code == case.code], kind
        for problem in plan.problems:
            line = problem.describe()
            assert "\n" not in line and problem.file in case.files, (kind, line)
            assert problem.message_zh != problem.message_en, (kind, line)
            if _library_text(line):
                offending.append((kind, line))
    assert offending == []


@pytest.mark.parametrize("kind", ["nul_bytes_csv", "only_nul_bytes_csv"])
def test_a_file_of_nul_bytes_is_not_reported_as_missing_fields(corpus_plans, kind):
    _case, plan = corpus_plans[kind]
    assert [p.code for p in plan.problems] == ["unreadable_file"]
    assert "NUL" in plan.problems[0].message_en


@pytest.mark.parametrize("error", [
    zipfile.BadZipFile("File is not a zip file"),
    __import__("xml.etree.ElementTree", fromlist=["ParseError"]).ParseError(
        "not well-formed (invalid token): line 3, column 7"),
    shapely.errors.GEOSException("IllegalArgumentException: point array must contain 0 or >1"),
    OSError("'/tmp/x/grids.shp' not recognized as being in a supported file format.; It might "
            "help to specify the correct driver explicitly by prefixing the file path with "
            "'<DRIVER>:'"),
    RuntimeError("sqlite3_prepare_v2(SELECT 1) failed: file is not a database"),
])
def test_a_library_error_becomes_one_clear_line(error):
    problem = library_errors.unreadable("members.xlsx", error)
    line = problem.describe()
    assert line.startswith("members.xlsx: 文件无法读取") and "unreadable file" in line
    assert _library_text(line) == [] and "\n" not in line


def test_a_geos_error_is_really_raised_by_shapely_and_translated():
    with pytest.raises(shapely.errors.GEOSException) as raised:
        shapely.from_wkt("POLYGON ((1 1))")
    line = library_errors.unreadable("grids.geojson", raised.value).describe()
    assert "几何" in line and _library_text(line) == []
