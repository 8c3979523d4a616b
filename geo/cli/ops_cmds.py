"""Operations commands: backup, restore (both stores; see geo/store/backup.py)."""

from __future__ import annotations

import sys

from geo.cli.common import add_store_option, store_from


def register(sub) -> None:
    p = sub.add_parser("backup", help="copy the whole store into a directory (app may run)")
    p.add_argument("--out", required=True, help="directory for the backup and its manifest")
    add_store_option(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the store's content by a backup directory")
    p.add_argument("path", help="a directory written by hongtu backup")
    add_store_option(p)
    p.set_defaults(func=cmd_restore)


def cmd_backup(args) -> int:
    from geo.store.backup import backup
    from geo.store.base import StoreError

    try:
        manifest = backup(store_from(args), args.out)
    except StoreError as exc:
        print(f"备份失败 | backup failed: {exc}", file=sys.stderr)
        return 1
    rows = sum(layer["rows"] for layer in manifest["layers"].values())
    print(f"备份完成 | backed up {len(manifest['layers'])} layers, {rows} rows, "
          f"{manifest['bytes'] / 1e6:.1f} MB -> {args.out}/{manifest['file']}")
    return 0


def cmd_restore(args) -> int:
    from geo.store.backup import restore
    from geo.store.base import StoreError

    try:
        manifest = restore(store_from(args), args.path)
    except StoreError as exc:
        print(f"恢复失败 | restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"恢复完成 | restored {len(manifest['layers'])} layers from {args.path} "
          f"(backup of {manifest['created_utc']}); every layer matches the backup")
    return 0
