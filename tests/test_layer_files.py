"""components.layer_files: a layer file whose layers did not change is the earlier revision's
text again (not built and encoded once more); ``combined.json`` holds the files' texts as they
are. And the keys come from the store: a moved member changes the members' and grids' keys,
not the outlines'."""

from __future__ import annotations

import json

import pytest

from components import layer_files, network_cache
from components.layer_files import PayloadTexts, publish
from components.web.state import STATE_DIR_ENV
from geo import reassignment


def _builder(calls: list, name: str, value):
    def build():
        calls.append(name)
        return value
    return build


def test_a_text_is_built_once_per_key_and_the_oldest_is_dropped():
    texts, calls = PayloadTexts(size=2), []
    assert texts.text("a", "wgs84-zh", "k1", _builder(calls, "a", {"x": "街道"})) == '{"x":"街道"}'
    texts.text("a", "wgs84-zh", "k1", _builder(calls, "a", {"x": "other"}))  # kept: not built
    texts.text("a", "wgs84-en", "k1", _builder(calls, "a-en", [1]))  # another frame
    texts.text("b", "wgs84-zh", None, _builder(calls, "b", [2]))  # no key: built every time
    texts.text("b", "wgs84-zh", None, _builder(calls, "b", [2]))
    assert calls == ["a", "a-en", "b", "b"]
    texts.text("c", "wgs84-zh", "k1", _builder(calls, "c", [3]))  # a third key: "a" zh dropped
    texts.text("a", "wgs84-zh", "k1", _builder(calls, "a", {"x": "again"}))
    assert calls[-2:] == ["c", "a"]


def test_a_file_keeps_the_texts_of_its_last_two_keys():
    texts, calls = PayloadTexts(size=100, keys=2), []
    for key in ("k1", "k2", "k3"):  # three moves: the members' tile, a new key each time
        texts.text("members_0", "wgs84-zh", key, _builder(calls, key, [key]))
    texts.text("outlines", "wgs84-zh", "s1", _builder(calls, "s1", []))
    assert len(texts) == 3  # k2, k3 and the outlines
    texts.text("members_0", "wgs84-zh", "k3", _builder(calls, "k3 again", []))
    texts.text("members_0", "wgs84-zh", "k2", _builder(calls, "k2 again", []))
    assert calls == ["k1", "k2", "k3", "s1"]  # both kept: not built again
    assert texts.text("members_0", "wgs84-zh", "k1", _builder(calls, "k1 again", ["k1"])) == \
        '["k1"]'
    assert calls[-1] == "k1 again" and len(texts) == 3  # built again; k2 dropped for it


def test_a_new_revision_reuses_the_texts_of_unchanged_layers(tmp_path, monkeypatch):
    monkeypatch.setattr(layer_files, "TEXTS", PayloadTexts())
    calls = []
    first = {"streets": _builder(calls, "streets", {"type": "FeatureCollection", "n": 1}),
             "members_1_2": _builder(calls, "members", [[28.6, 121.2, "张*"]])}
    publish("r1", "wgs84-zh", first, root=tmp_path, combined=("streets",),
            keys={"streets": "L3", "members_1_2": "L7"})
    second = {"streets": _builder(calls, "streets", {"changed": "never written"}),
              "members_1_2": _builder(calls, "members", [[28.61, 121.2, "张*"]])}
    urls = publish("r2", "wgs84-zh", second, root=tmp_path, combined=("streets",),
                   keys={"streets": "L3", "members_1_2": "L8"})
    assert calls == ["streets", "members", "members"]
    folders = {p.name[:16]: p for p in tmp_path.iterdir()}
    old, new = (folders[layer_files.revision_digest(r)] for r in ("r1", "r2"))
    assert (new / "streets.json").read_bytes() == (old / "streets.json").read_bytes()
    assert json.loads((new / "members_1_2.json").read_text(encoding="utf-8"))[0][0] == 28.61
    combined = (new / "combined.json").read_text(encoding="utf-8")
    assert combined == json.dumps({"streets": {"type": "FeatureCollection", "n": 1}},
                                  ensure_ascii=False, separators=(",", ":"))
    assert urls["streets"].endswith("/combined.json#streets")


@pytest.fixture
def moved_store(sample_store, tmp_path, monkeypatch):
    monkeypatch.setenv(STATE_DIR_ENV, str(tmp_path / "state"))
    path = tmp_path / "store.gpkg"
    path.write_bytes(sample_store.path.read_bytes())
    return path


def test_a_moved_member_changes_the_keys_of_members_and_grids_only(moved_store, monkeypatch):
    from geo.store import open_store

    monkeypatch.setenv("HONGTU_DATABASE_URL", str(moved_store))
    store = open_store(moved_store)
    before = network_cache._map_data(str(moved_store), store.revision()).layer_keys
    members = store.load("members")
    member, grid = members["id"].iloc[0], members["grid_id"].iloc[-1]
    assert members["grid_id"].iloc[0] != grid
    reassignment.move_members(store, [member], grid, "layer keys", account="system",
                              principal=_org())
    after = network_cache._map_data(str(moved_store), store.current_revision()).layer_keys
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"grids", "grid_totals", "members"}
    assert set(before) == set(network_cache.PAYLOAD_LAYERS)


def _org():
    from geo import auth

    return auth.Principal("org", auth.Role.ORG, frozenset())
