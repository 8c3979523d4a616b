"""Generated people: plausible Chinese names and mobile numbers (all fictitious)."""

from __future__ import annotations

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪牟於"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉力志红玲斌宇浩凯俊峰鹏飞晨阳"
    "欣怡佳琪梦婷雪梅丹萍燕慧颖晓东海波林春兰凤清云亮成康永健新宁远德胜祥瑞安福嘉豪子涵睿"
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "176", "177", "178", "180", "181", "182", "183", "186",
    "187", "188", "189", "198", "199",
)


def chinese_names(rng: np.random.Generator, n: int) -> list[str]:
    """n generated names: a common surname and one or two given-name characters."""
    surnames = rng.choice(list(SURNAMES), size=n)
    first = rng.choice(list(GIVEN), size=n)
    second = rng.choice(list(GIVEN), size=n)
    two = rng.random(n) < 0.7
    return [s + a + (b if t else "") for s, a, b, t in zip(surnames, first, second, two)]


def chinese_name(rng: np.random.Generator) -> str:
    return chinese_names(rng, 1)[0]


def phones(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct-looking 11-digit mainland mobile numbers."""
    prefixes = rng.choice(MOBILE_PREFIXES, size=n)
    tails = rng.integers(0, 10**8, size=n)
    return [f"{p}{t:08d}" for p, t in zip(prefixes, tails)]


def phone(rng: np.random.Generator) -> str:
    return phones(rng, 1)[0]
