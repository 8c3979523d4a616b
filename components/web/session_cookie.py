"""The session cookie that keeps a sign-in across reloads, shared links and new tabs.

A Streamlit script cannot set a cookie, so after a sign-in the page hands a one-time nonce to a
tiny same-origin ``fetch`` (:func:`claim_script`); ``POST /hongtu/session/claim`` exchanges it
for the cookie: the session token signed with the server's secret (itsdangerous, HMAC-SHA256,
timestamped), HttpOnly, SameSite=Lax, Path=/, expiring with the token. A new websocket session
in the same browser reads it back from ``st.context.cookies``
(:func:`components.session.signed_in_principal`), the routes and middleware of
``components.web`` from the request. ``POST /hongtu/session/end`` (:func:`end_script`, after a
sign-out) ends the token and deletes the cookie. The token itself is checked against
:data:`~components.web.session_registry.REGISTRY` every time (idle timeout, sign-out in
another tab, account disabled), so a cookie is never enough on its own."""

from __future__ import annotations

import json
import os

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from components.web.session_registry import REGISTRY
from components.web.state import secret_key

COOKIE_NAME = "hongtu_session"
CLAIM_PATH = "/hongtu/session/claim"
END_PATH = "/hongtu/session/end"
SALT = "hongtu.session"
MAX_HOURS_ENV = "HONGTU_SESSION_MAX_HOURS"
DEFAULT_MAX_HOURS = 12.0  # absolute lifetime of one sign-in, however active
MAX_NONCE_CHARS = 200


def max_seconds() -> float:
    try:
        return float(os.environ.get(MAX_HOURS_ENV, DEFAULT_MAX_HOURS)) * 3600
    except ValueError:
        return DEFAULT_MAX_HOURS * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt=SALT)


def cookie_value(token: str) -> str:
    return _serializer().dumps(token)


def token_of(value: str | None) -> str | None:
    """The token in a cookie value whose signature and age check out, else None."""
    if not value or len(value) > 4 * MAX_NONCE_CHARS:
        return None
    try:
        token = _serializer().loads(value, max_age=max_seconds())
    except BadSignature:  # altered, forged, signed with another secret, or too old
        return None
    return token if isinstance(token, str) else None


def cookie_token(cookies) -> str | None:
    """The verified token of a request's (or ``st.context``'s) cookies."""
    return token_of(cookies.get(COOKIE_NAME))


# --------------------------------------------------------------------------- the page's side
def _post_script(path: str, body: dict) -> str:
    payload = json.dumps(body)  # only server-made nonces: URL-safe characters
    return (f"<script>fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin',"
            f" headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(payload)}}});"
            "</script>")


def claim_script(nonce: str) -> str:
    """HTML for ``st.html(..., unsafe_allow_javascript=True)``: exchange the nonce."""
    return _post_script(CLAIM_PATH, {"nonce": nonce})


def end_script() -> str:
    return _post_script(END_PATH, {})


# --------------------------------------------------------------------------- routes
async def _nonce(request: Request) -> str | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    nonce = body.get("nonce") if isinstance(body, dict) else None
    return nonce if isinstance(nonce, str) and len(nonce) <= MAX_NONCE_CHARS else None


async def claim(request: Request) -> JSONResponse:
    """Exchange a sign-in's nonce for the cookie. Answers 200 either way (the page's script
    runs again on reconnects; a used nonce then simply sets nothing)."""
    nonce = await _nonce(request)
    claimed = REGISTRY.claim(nonce) if nonce else None
    response = JSONResponse({"claimed": claimed is not None})
    response.headers["Cache-Control"] = "no-store"
    if claimed is not None:
        token, _expires = claimed
        response.set_cookie(COOKIE_NAME, cookie_value(token), max_age=int(max_seconds()),
                            path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


async def end(request: Request) -> JSONResponse:
    """End the cookie's token (if any) and delete the cookie."""
    REGISTRY.revoke(cookie_token(request.cookies))
    response = JSONResponse({"ended": True})
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


def routes() -> list:
    return [Route(CLAIM_PATH, claim, methods=["POST"]), Route(END_PATH, end, methods=["POST"])]
