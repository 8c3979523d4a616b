"""Texts of the session helper: pages a session may not open, explained in its language."""

TEXT = {
    "nav.refused.demo": (
        ("本地演示模式下不能打开“{page}”:此页面只对组织部账号开放。请先在服务器上用 "
         "hongtu user add 创建账号,再登录后打开。"),
        ("“{page}” is not available in the local demo: it is open to organisation-department "
         "accounts only. Create an account on the server with hongtu user add, sign in, then "
         "open it."),
    ),
    "nav.refused.role": (
        "当前账号({role})无权打开“{page}”。如需使用,请联系组织部开通权限。",
        ("This account ({role}) may not open “{page}”. Ask the organisation department for "
         "access."),
    ),
}
