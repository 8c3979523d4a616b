"""Rules for text that comes from people and files, shared by every write path (the store's
writes, the importer, ``hongtu validate``).

* Invisible characters (zero-width spaces and joiners, bidi controls, byte-order marks, other
  format and control characters except tab and newline) are never kept.
* Keys (``id`` and every reference ``*_id``) and personal fields (names, phones) are
  NFKC-normalised: full-width ``Ｍ０００１`` is ``M0001``. A key that normalising would change
  is refused, never changed silently (it would point elsewhere or duplicate a row).
* Other text is NFC-normalised only: NFKC would turn Chinese full-width punctuation (,:())
  into ASCII in every description.
* :func:`looks_masked`: a name or phone in the shape a masked export gives them, under any
  look-alike of ``*`` (full-width ``＊``, ``∗``, ``﹡``, ``●``...), ``某`` in names and ``x`` in
  phones.
"""

from __future__ import annotations

import re
import unicodedata

from geo.schema_types import ID, Field

KEEP_CONTROLS = {"\t", "\n", "\r"}
# U+2028/2029 line/paragraph separators and the invisible operators are Zl/Zp/Cf
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Co", "Cs", "Zl", "Zp"}
MASK_LOOKALIKES = "*∗⁎⁑✱✲✳✴✵❋﹡＊⋆★☆●•◦○◯■□×✕✖"
NAME_MASKS = MASK_LOOKALIKES + "某"
_PHONE_X = re.compile(r"[xX]{2,}|^\d*[xX]+\d+$|^\d+[xX]+\d*$")


def _visible(ch: str) -> bool:
    return ch in KEEP_CONTROLS or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES


def strip_invisible(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if _visible(ch))


def clean_text(text: str) -> str:
    """Free text: invisible characters removed, NFC."""
    return unicodedata.normalize("NFC", strip_invisible(text))


def clean_key(text: str) -> str:
    """A key or personal value: invisible characters removed, NFKC, outer spaces trimmed."""
    return unicodedata.normalize("NFKC", strip_invisible(text)).strip()


def is_key(f: Field) -> bool:
    return f.name == ID or f.ref is not None or f.name.endswith("_id")


def cleaned(f: Field, value):
    """The value as stored: text cleaned by its field's rule; anything else as it is."""
    if not isinstance(value, str) or f.dtype != "str":
        return value
    return clean_key(value) if (is_key(f) or f.personal) else clean_text(value)


def key_changes(f: Field, value) -> bool:
    """True if ``value`` is a key that normalising would change (it is then refused)."""
    return is_key(f) and isinstance(value, str) and clean_key(value) != value


def shown(value: str) -> str:
    """A value with its invisible characters made visible (M00001\\u200b)."""
    return "".join(ch if _visible(ch) and unicodedata.category(ch) != "Zs" or ch == " "
                   else f"\\u{ord(ch):04x}" for ch in value)


def looks_masked(field_name: str, value) -> bool:
    """True if a personal value has the shape of a masked one (see the module's doc)."""
    if not isinstance(value, str):
        return False
    text = clean_key(value)
    if "phone" in field_name:
        compact = re.sub(r"[\s\-()+]", "", text)
        return any(ch in MASK_LOOKALIKES for ch in text) or bool(_PHONE_X.search(compact))
    return any(ch in NAME_MASKS for ch in text)
