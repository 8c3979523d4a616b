"""Where the server keeps what it generates for itself: the map's layer files and the secret
that signs session cookies. Never committed, never served as static files.

``HONGTU_STATE_DIR`` (default ``var/`` in the project, git-ignored) holds ``layers/`` and
``secret_key`` (0600). The secret comes first from ``HONGTU_SECRET_KEY``, then from
``st.secrets["hongtu"]["secret_key"]`` (``.streamlit/secrets.toml``), else it is generated
once into the state directory; several servers behind one address need the same secret."""

from __future__ import annotations

import functools
import os
import secrets
import tempfile
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo.paths import DATA_DIR, IS_CHECKOUT, SOURCE_ROOT

STATE_DIR_ENV = "HONGTU_STATE_DIR"
SECRET_ENV = "HONGTU_SECRET_KEY"
SECRET_SECTION, SECRET_NAME = "hongtu", "secret_key"
SECRET_FILE = "secret_key"
MIN_SECRET_CHARS = 32


def state_dir() -> Path:
    """``HONGTU_STATE_DIR``; else ``var/`` of a checkout, or ``var/`` in the data directory of
    an installed wheel (never inside site-packages)."""
    default = SOURCE_ROOT / "var" if IS_CHECKOUT else DATA_DIR / "var"
    return Path(os.environ.get(STATE_DIR_ENV) or default)


def layer_root() -> Path:
    return state_dir() / "layers"


def _configured_secret() -> str | None:
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    try:
        section = st.secrets.get(SECRET_SECTION) or {}
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file at all
        return None
    return section.get(SECRET_NAME)


def _file_secret(path: Path) -> str:
    """The secret in ``path``, created once with mode 0600: written to a temporary file, then
    linked into place, so a process racing this one reads a complete secret or creates none."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()


@functools.cache
def secret_key() -> str:
    secret = _configured_secret() or _file_secret(state_dir() / SECRET_FILE)
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"the session secret ({SECRET_ENV}) must have at least "
                         f"{MIN_SECRET_CHARS} characters")
    return secret
