"""Download buttons that record every download in the audit log (who, what, which file,
masked or not): the one way personal data leaves a page."""

from __future__ import annotations

from components.data import get_store
from geo import audit


def _record(account: str, what: str, file_name: str, masked: bool) -> None:
    audit.record_export(get_store(), account, what, file_name, masked)


def audited_download(container, label: str, data, file_name: str, *, what: str, masked: bool,
                     principal, key: str, mime: str | None = None) -> bool:
    """``container.download_button`` whose click writes an audit row first."""
    account = getattr(principal, "name", None) or "demo"
    return container.download_button(label, data, file_name, mime=mime, key=key,
                                     on_click=_record, args=(account, what, file_name, masked))
