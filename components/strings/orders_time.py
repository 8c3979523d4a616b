"""Strings of step times and time zones (orders, audit, big screen) and of promoting a scenario
to planned positions (planner, maps, legend)."""

TEXT = {
    # ------------------------------------------------------------ times and zones
    "orders_time.zone": ("时间为 {zone} 时间", "Times are {zone} time"),
    "orders_time.when": ("发生日期({zone})", "Date ({zone})"),
    "orders_time.when_time": ("发生时刻", "Time of day"),
    "orders_time.when_help": (
        "日期和时刻都留空即为当前时间;补录时不得早于上一步({previous}),不得晚于当前时间({zone})",
        ("Leave date and time empty for now; a time entered later may not be before the "
         "previous step ({previous}) nor in the future ({zone})")),
    "orders_time.both": ("请同时填写日期和时刻,或都留空(当前时间)",
                         "give both the date and the time of day, or neither (now)"),
    "orders_time.audit_zone": ("时间({zone})", "Time ({zone})"),
    # ------------------------------------------------------------ planned positions
    "planned.tag": ("规划", "planned"),
    "planned.legend": ("规划阵地(未建成,不计入现有阵地数)",
                       "Planned positions (not built; not counted in the network's figures)"),
    "planned.count": ("另有规划阵地 {n} 处(不计入上述数字)",
                      "plus {n} planned positions (not counted above)"),
    "planned.confirm": ("确认将方案「{name}」的 {n} 个候选点写入为规划阵地",
                        ("Confirm: write the {n} candidates of scenario \"{name}\" as "
                         "planned positions")),
    "planned.already": ("方案「{name}」已采纳为规划阵地({n} 处),未重复写入",
                        ("Scenario \"{name}\" was already promoted ({n} planned "
                         "positions); nothing written again")),
}
