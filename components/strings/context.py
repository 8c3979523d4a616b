"""Texts of the page context and of URL parameter checks."""

TEXT = {
    "url.bad_number": (
        "链接参数 {name}={value} 无效:应为 {low} 到 {high} 之间的整数,已使用 {used}",
        ("URL parameter {name}={value} is not valid: a whole number from {low} to {high} "
         "is expected; using {used}"),
    ),
    "url.bad_unit": (
        "链接参数 unit={value} 不是本系统的行政单元,已显示 {used}",
        "URL parameter unit={value} is not a unit of this store; showing {used}",
    ),
}
