"""The server side of browser sign-ins: which session token belongs to which account, when the
browser was last active, and which one-time nonces may still be exchanged for the cookie.

One registry per server process (:data:`REGISTRY`), keyed by random tokens, never a "current"
user. A token ends when it is revoked (sign-out, account disabled), after ``idle_seconds``
without a script run of any of its tabs, or at its absolute expiry. The registry lives in
memory: a server restart ends every sign-in (the cookie is then refused and the sign-in form
shown), and several server processes behind one address need sticky sessions, which
Streamlit's websockets need anyway."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

NONCE_SECONDS = 120.0  # a sign-in's nonce must be exchanged for the cookie within this time


class Status(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"  # idle for too long or past its absolute expiry
    ENDED = "ended"  # revoked, or unknown to this server


@dataclass
class Entry:
    account: str
    created: float
    last_seen: float
    expires: float
    nonce: str | None
    nonce_until: float


class SessionRegistry:
    """Thread-safe map token -> :class:`Entry` (script threads and the ASGI routes share it)."""

    def __init__(self, clock=time.time):
        self._entries: dict[str, Entry] = {}
        self._by_nonce: dict[str, str] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def create(self, account: str, lifetime_seconds: float) -> tuple[str, str]:
        """A new active token for ``account`` and the one-time nonce the page exchanges for
        the cookie: ``(token, nonce)``."""
        now = self._clock()
        token, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self._lock:
            self._drop_dead(now)
            self._entries[token] = Entry(account, now, now, now + lifetime_seconds, nonce,
                                         now + NONCE_SECONDS)
            self._by_nonce[nonce] = token
        return token, nonce

    def claim(self, nonce: str) -> tuple[str, float] | None:
        """Exchange a nonce once: ``(token, absolute expiry)`` or None."""
        now = self._clock()
        with self._lock:
            token = self._by_nonce.pop(nonce, None)
            entry = self._entries.get(token) if token else None
            if entry is None or entry.nonce != nonce or now > entry.nonce_until:
                return None
            entry.nonce = None
            return token, entry.expires

    def nonce_pending(self, nonce: str) -> bool:
        with self._lock:
            return nonce in self._by_nonce

    def status(self, token: str | None, idle_seconds: float, touch: bool = False) -> Status:
        """The token's state; ``touch`` records activity now (a script run of one of its tabs).
        An expired token is removed, so it stays expired."""
        if not token:
            return Status.ENDED
        now = self._clock()
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return Status.ENDED
            if now - entry.last_seen > idle_seconds or now > entry.expires:
                self._remove(token)
                return Status.EXPIRED
            if touch:
                entry.last_seen = now
            return Status.ACTIVE

    def account(self, token: str | None, idle_seconds: float, touch: bool = False) -> str | None:
        """The account of an active token, else None."""
        if self.status(token, idle_seconds, touch) != Status.ACTIVE:
            return None
        with self._lock:
            entry = self._entries.get(token)
            return entry.account if entry else None

    def revoke(self, token: str | None) -> None:
        with self._lock:
            if token:
                self._remove(token)

    def revoke_account(self, account: str) -> int:
        """End every token of ``account`` (disabled, deleted); returns how many ended."""
        with self._lock:
            tokens = [k for k, e in self._entries.items() if e.account == account]
            for token in tokens:
                self._remove(token)
        return len(tokens)

    def _remove(self, token: str) -> None:
        entry = self._entries.pop(token, None)
        if entry is not None and entry.nonce:
            self._by_nonce.pop(entry.nonce, None)

    def _drop_dead(self, now: float) -> None:
        for token in [k for k, e in self._entries.items() if now > e.expires]:
            self._remove(token)


REGISTRY = SessionRegistry()
