"""English for the fixed Chinese words the data carries (issue #25, point 2): members' posts
and duties, order and case categories, the article's named working practices. Keyed
``vocab.<the Chinese word>``; shown through components.display_values.vocab (a word not listed,
e.g. an imported one, is shown as it is)."""

WORDS = {
    # posts and duties of members (geo/sample/members.py POSTS, DUTIES)
    "楼道长": "stairwell leader", "宣传员": "publicity officer", "调解员": "mediator",
    "巡防员": "patrol volunteer", "志愿服务员": "volunteer", "网格信息员": "grid informant",
    "入户走访": "home visits", "政策宣讲": "policy briefings", "矛盾调解": "dispute mediation",
    "治安巡防": "safety patrols", "环境整治": "environment clean-up", "守小门": "gate watch",
    # service order categories (geo/workflow_rules.py ORDER_CATEGORIES)
    "微心愿": "micro-wish", "助老服务": "help for the elderly", "家电维修": "appliance repair",
    "代购代办": "errands", "法律咨询": "legal advice", "心理疏导": "counselling",
    "助学辅导": "tutoring",
    # case categories (CASE_CATEGORIES)
    "高空抛物": "objects thrown from height", "私搭乱建": "illegal structures",
    "治安隐患": "safety hazard", "消防通道占用": "fire lane blocked",
    "物业纠纷": "property dispute", "环境卫生": "sanitation", "停车管理": "parking",
    "噪音扰民": "noise",
    # the article's named working practices (geo/sample/huangyan.py NAMED)
    "四方会谈、五步议事": "four-party talks, five-step deliberation",
    "五邻五共": "five neighbourly commons", "三类清单": "three lists",
}
TEXT = {f"vocab.{zh}": (zh, en) for zh, en in WORDS.items()}
