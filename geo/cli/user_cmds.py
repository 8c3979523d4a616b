"""``hongtu user add|passwd|disable``: manage sign-in accounts (audited as ``account_change``).

Passwords are read from standard input (the first line), or asked twice at a terminal, so
they never appear in the shell history or the process list."""

from __future__ import annotations

import getpass
import sys

from geo import auth
from geo.cli.common import add_store_option, store_from
from geo.schema import ROLES


def register(sub) -> None:
    user = sub.add_parser("user", help="manage accounts: add, passwd, disable")
    actions = user.add_subparsers(dest="user_command", required=True)

    add = actions.add_parser("add", help="create an account (password from stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--grids", default="", help="comma-separated grid ids (grid leaders)")
    add_store_option(add)
    add.set_defaults(func=_add)

    passwd = actions.add_parser("passwd", help="set a new password (from stdin); unlocks")
    passwd.add_argument("name")
    add_store_option(passwd)
    passwd.set_defaults(func=_passwd)

    disable = actions.add_parser("disable", help="disable an account")
    disable.add_argument("name")
    add_store_option(disable)
    disable.set_defaults(func=_disable)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in a bare container
        return "cli"


def read_password(stream=None) -> str:
    """The first line of ``stream`` (stdin), or a password typed twice at a terminal."""
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("密码 / password: ")
        if getpass.getpass("再次输入 / repeat: ") != first:
            raise ValueError("两次输入的密码不一致 | the passwords differ")
        return first
    return stream.readline().rstrip("\r\n")


def _run(action) -> int:
    try:
        message = action()
    except (ValueError, auth.PermissionDenied) as error:
        print(error, file=sys.stderr)
        return 2
    print(message)
    return 0


def _add(args) -> int:
    def action():
        store = store_from(args)
        grids = [g for g in args.grids.split(",") if g.strip()]
        auth.add_user(store, args.name, args.role, read_password(), grids, actor=_actor())
        return f"已创建账号 {args.name}({args.role}) | account {args.name} ({args.role}) created"

    return _run(action)


def _passwd(args) -> int:
    def action():
        auth.set_password(store_from(args), args.name, read_password(), actor=_actor())
        return f"已修改 {args.name} 的密码 | password of {args.name} changed"

    return _run(action)


def _disable(args) -> int:
    def action():
        auth.disable_user(store_from(args), args.name, actor=_actor())
        return f"已停用账号 {args.name} | account {args.name} disabled"

    return _run(action)
