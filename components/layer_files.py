"""The map's layer files: written once per store revision (and coordinate frame, language and
unit) as compact JSON under ``<state dir>/layers/<revision>-<frame>/`` (never in the public
``static/`` folder), served by :mod:`components.web.layers` at ``/hongtu/layers/...``, which
checks the session's right to each layer and serves the current store revision only
(:data:`REVISIONS`). A file whose layers did not change since an earlier revision is that
revision's text again (:data:`TEXTS`). Only masked member names are ever written here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

from components.web.state import layer_root

LAYER_URL = "/hongtu/layers"
KEEP_FOLDERS = 8  # folders kept past those still served (current and recent revisions)
GRACE_SECONDS = 120.0  # a map opened just before a write may still fetch its lazy layers
DIGEST_CHARS = 16
# (folder, names, combined) whose files this process wrote or found: a later publish of the
# same files checks the folder alone. Shared by every session: a fact about files on disk.
_WRITTEN: set[tuple] = set()


def revision_digest(revision: str) -> str:
    return hashlib.sha1(revision.encode()).hexdigest()[:DIGEST_CHARS]


def revision_dir_name(revision: str, frame: str) -> str:
    return f"{revision_digest(revision)}-{frame}"


class Revisions:
    """Which store revisions' layer files may be served: the current one, and every one that was
    replaced less than :data:`GRACE_SECONDS` ago (several writes in a minute must not leave a
    map opened before them without its layers). Fed with the revision seen by every map drawn
    and every layer request (one per server process; no per-user state)."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._current: str | None = None
        self._replaced: dict[str, float] = {}  # digest -> when it stopped being current

    def note(self, revision: str) -> None:
        digest = revision_digest(revision)
        with self._lock:
            if digest != self._current:
                now = self._clock()
                if self._current is not None:
                    self._replaced[self._current] = now
                self._replaced.pop(digest, None)
                self._current = digest
                self._replaced = {d: t for d, t in self._replaced.items()
                                  if now - t < GRACE_SECONDS}

    def serves(self, folder: str) -> bool:
        digest = folder[:DIGEST_CHARS]
        with self._lock:
            replaced = self._replaced.get(digest)
            return digest == self._current or (
                replaced is not None and self._clock() - replaced < GRACE_SECONDS)


REVISIONS = Revisions()


def _json_text(payload) -> str:  # dumps: json's C encoder (json.dump streams in Python)
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


class PayloadTexts:
    """The JSON text of layer files by (name, frame, key of the layers it is made of), so that a
    new revision's folder reuses what did not change (a moved member rewrites the members and
    grids, not the outlines: issue #27). Of each file (name, frame) the texts of the last
    ``keys`` keys are kept (a moved member's tiles of older revisions are never written again),
    and at most ``size`` in all, least recently used dropped; shared by every session (the
    same file for everyone who may fetch it)."""

    def __init__(self, size: int = 512, keys: int = 2):
        self._size, self._keys, self._lock = size, keys, threading.Lock()
        self._texts: OrderedDict[tuple, str] = OrderedDict()
        self._keys_of: dict[tuple, list] = {}  # (name, frame) -> its keys kept, oldest first

    def text(self, name: str, frame: str, key: str | None, build) -> str:
        if key is None:
            return _json_text(build())
        slot = (name, frame, key)
        with self._lock:
            if slot in self._texts:
                self._texts.move_to_end(slot)
                return self._texts[slot]
        text = _json_text(build())
        with self._lock:
            if slot not in self._texts:
                kept = self._keys_of.setdefault((name, frame), [])
                kept.append(key)
                while len(kept) > self._keys:
                    self._texts.pop((name, frame, kept.pop(0)), None)
            self._texts[slot] = text
            while len(self._texts) > self._size:
                old_name, old_frame, old_key = self._texts.popitem(last=False)[0]
                kept = self._keys_of.get((old_name, old_frame), [])
                if old_key in kept:
                    kept.remove(old_key)
        return text

    def __len__(self) -> int:
        return len(self._texts)


TEXTS = PayloadTexts()


COMBINED = "combined"


def publish(revision: str, frame: str, payloads: dict, root: Path | None = None,
            combined: tuple[str, ...] = (), keys: dict | None = None) -> dict:
    """Write each payload as ``<root>/<revision>-<frame>/<name>.json`` unless already there;
    return ``name -> URL``. ``payloads`` maps names to zero-argument builders; ``keys`` names
    the content of some (the revision of the layers each is made of: :class:`PayloadTexts`).

    The ``combined`` layers (those a map draws as soon as it opens) are written into one
    ``combined.json`` too and get ``combined.json#<name>`` URLs: one request instead of one
    per layer (a browser opens at most six connections to the app; the page's own scripts
    queue on them too)."""
    root = root or layer_root()
    REVISIONS.note(revision)
    folder = root / revision_dir_name(revision, frame)
    done = (folder, tuple(payloads), combined)
    urls = {name: f"{LAYER_URL}/{folder.name}/{name}.json" for name in payloads}
    urls.update({n: f"{LAYER_URL}/{folder.name}/{COMBINED}.json#{n}" for n in combined})
    if done in _WRITTEN and folder.is_dir():  # one stat, not one per file (issue #27)
        return urls
    fresh, keys = not folder.exists(), keys or {}
    texts = {}
    for name, build in payloads.items():
        path = folder / f"{name}.json"
        if not path.exists():
            texts[name] = TEXTS.text(name, frame, keys.get(name), build)
            _write_text(path, texts[name])
    if combined:
        path = folder / f"{COMBINED}.json"
        if not path.exists():  # the files' texts as they are: json.dumps of them all, unparsed
            _write_text(path, "{" + ",".join(
                f"{_json_text(n)}:" + (texts.get(n) or (folder / f"{n}.json").read_text(
                    encoding="utf-8")) for n in combined) + "}")
    if fresh:
        prune(root)
    _WRITTEN.add(done)
    return urls


def prune(root: Path | None = None, keep: int = KEEP_FOLDERS) -> None:
    """Remove all but the ``keep`` most recently written layer folders, never one whose
    revision is still served (:class:`Revisions`)."""
    root = root or layer_root()
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in folders[:-keep]:
        if not REVISIONS.serves(old.name):
            shutil.rmtree(old, ignore_errors=True)
            _WRITTEN.difference_update({done for done in list(_WRITTEN) if done[0] == old})
