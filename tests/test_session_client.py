"""The load generator's client reads from the server's messages exactly what a browser would
use: the sign-in nonce the page hands to its claim script, and the tiles a map's index lists."""

from __future__ import annotations

import base64
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import session_client

from components.web.session_cookie import claim_script

EDGES = ["-" + "a" * 31, "--" + "b" * 30, "_" + "c" * 31, "d" * 31 + "-", "e-f_g" * 6 + "hh"]


@pytest.mark.parametrize("nonce", EDGES)
def test_a_nonce_beginning_or_ending_with_a_dash_or_underscore_is_read_whole(nonce):
    assert session_client.NONCE.findall(claim_script(nonce).encode()) == [nonce.encode()]


def test_every_nonce_of_a_thousand_like_the_server_makes_is_read_whole():
    """As ``secrets.token_urlsafe(24)`` makes them (seeded here: the same every run)."""
    rng = random.Random(20221105)
    nonces = [base64.urlsafe_b64encode(rng.randbytes(24)).decode() for _ in range(1000)]
    assert sum(n.startswith("-") for n in nonces) > 5  # the case that was lost
    wrong = [n for n in nonces
             if session_client.NONCE.findall(claim_script(n).encode()) != [n.encode()]]
    assert wrong == []


def test_no_nonce_is_read_from_a_page_without_a_claim_script():
    assert session_client.NONCE.findall(b"<p>nonce - abcdefghijklmnopqrstuvwxyz</p>") == []
