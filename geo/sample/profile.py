"""What makes one county's sample network its own: a :class:`CountyProfile`.

The generator's rules are the same for every county; the profile holds what differs: the
outline and urban part, the streets (codes, names, seats), how communities, grid density and
compounds spread over them, the zone streets, the stations, the core's name, the local names
of offices and firms, and the counts. Huangyan's profile (:func:`geo.sample.huangyan.huangyan`)
is made of the article's constants and the real street seats; every other county's comes from
:func:`profile_for` and its real outline.

Size rule: a county of area A km² gets the factor f = clamp(sqrt(A / 988.6), 0.5, 1.5), where
988.6 km² is Huangyan's area (so Huangyan keeps f = 1), and every count of the Huangyan rules
(8 streets, 56 communities, 381 grids, 68 compounds, 4,760 members, 24 points, 630 teams, 22
firms, 226 pairings, the activity figures...) is multiplied by f, rounded, at least 1 (streets:
at least 4). ``--scale K`` multiplies on top, as for Huangyan.

Layout of a generated county: its seat is the pole of inaccessibility of its largest polygon
(:func:`shapely.ops.polylabel`: the inside point farthest from the border); the urban part is the
disc of radius 6 km·sqrt(f) around it, cut to the outline; the streets are Voronoi cells of a
seat at the centre (城中) and a ring of seats around it, named by their direction from the seat
(城东/城西/城南/城北), the rest from a list of common street names (江北, 江南, 新城...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.ops import polylabel

from geo.sample.geography import _apportion, _multi, sample_points, to_metric

HUANGYAN_ADCODE = "331003"
HUANGYAN_AREA_KM2 = 988.6
FACTOR_RANGE = (0.5, 1.5)
URBAN_RADIUS_M = 6000.0  # times sqrt(f)
RING = 0.55  # ring seats at this share of the urban radius
MIN_STREETS = 4
# Huangyan's counts at scale 1: the article's figures and the rules' own numbers.
BASE_COUNTS = {
    "streets": 8, "communities": 56, "grids": 381, "compounds": 68, "firms": 22,
    "red_firms": 3, "points": 24, "floor_area": 2436, "members": 4760,
    "members_reported": 7826, "volunteers": 13052, "teams": 630, "team_activities": 2952,
    "pairings": 226, "gap_grids": 9, "new_committees": 8, "one_shoulder": 6, "alliances": 4,
}
# Huangyan's streets by rank (its three zone streets first, then the others, largest first):
# communities per street, relative grid density, compounds per street.
RANK_COMMUNITIES = (9, 9, 8, 8, 6, 6, 5, 5)
RANK_DENSITY = (3.0, 3.0, 2.6, 1.6, 1.0, 1.0, 0.8, 0.8)
RANK_COMPOUNDS = (20, 20, 16, 6, 2, 2, 1, 1)
ZONES = 3
CARDINALS = (("东", 0.0), ("西", 180.0), ("南", 270.0), ("北", 90.0))
# Another county's own rates, drawn (seeded) around the article's Huangyan figures so that
# counties differ as real ones do: members per grid 12.5 (4,760 / 381) times 0.85-1.15,
# four-disclosure rate 30.6% before and 73.5% now (each within the range below), satisfaction
# with closed cases 98.35% (95.5-99.5%). Huangyan keeps the article's figures exactly.
RATE_RANGES = {"members": (0.85, 1.15), "disclosure_before": (0.24, 0.37),
               "disclosure_now": (0.62, 0.86), "satisfaction": (0.955, 0.995)}
STREET_WORDS = (
    "江北", "江南", "新城", "滨江", "湖滨", "凤凰", "文昌", "望江", "龙山", "华阳", "双溪",
    "兴华", "云溪", "南湖", "白云", "金桥", "东湖", "西湖", "长安", "清溪",
)


@dataclass(frozen=True)
class CountyProfile:
    adcode: str
    name: str  # 黄岩区
    short: str  # 黄岩: in firm and work-unit names
    level: str  # 区 / 县 / 市: the prefix of the county's offices (区委办, 县委办...)
    city: str
    factor: float  # f of the size rule
    outline: object  # the county outline, metric CRS
    urban: object  # the part its streets tile, metric CRS
    street_codes: tuple[str, ...]
    street_names: tuple[str, ...]
    street_seats: np.ndarray  # (n, 2) metric
    street_relax: int
    communities_per_street: dict[str, int]  # at scale 1
    street_density: dict[str, float]
    compounds_per_street: dict[str, int]  # at scale 1, in the order they are placed
    zone_streets: tuple[str, ...]  # the three zones (三片)
    core_street: str
    core_name: str
    stations: tuple[tuple[str, str, str], ...]  # name, kind, street
    alliance_streets: tuple[str, ...]  # streets with a generated Party alliance
    firm_prefix: str
    offices: tuple[str, ...]
    work_units: tuple[str, ...]
    counts: dict[str, int]  # at scale 1: BASE_COUNTS times f
    # Huangyan only: the article's named compounds, alliance, station and community.
    named_compounds: dict[str, tuple] = field(default_factory=dict)  # name: street, practice, type
    cluster: tuple[str, tuple[str, ...]] | None = None  # street, compounds of the named alliance
    named_alliance: dict | None = None
    cluster_station: str | None = None  # placed among the named alliance's compounds
    named_community: tuple[str, str] | None = None  # street, word of its first community
    rates: dict[str, float] = field(default_factory=dict)  # RATE_RANGES drawn; {} = article's

    @property
    def id_prefix(self) -> str:
        """Prefix of the county's generated ids ("" for Huangyan, else "<adcode>-")."""
        return "" if self.adcode == HUANGYAN_ADCODE else f"{self.adcode}-"

    def n(self, key: str) -> int:
        return self.counts[key]


def size_factor(area_km2: float) -> float:
    low, high = FACTOR_RANGE
    return float(np.clip(np.sqrt(float(area_km2) / HUANGYAN_AREA_KM2), low, high))


def scaled_counts(factor: float) -> dict[str, int]:
    counts = {k: max(1, round(v * factor)) for k, v in BASE_COUNTS.items()}
    counts["streets"] = max(MIN_STREETS, counts["streets"])
    return counts


def short_name(name: str) -> str:
    """黄岩区 -> 黄岩, 景宁畲族自治县 -> 景宁."""
    for suffix in ("畲族自治县", "自治县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name[:-1] if len(name) > 2 else name


def localise(texts, short: str, level: str, streets=()) -> tuple[str, ...]:
    """Huangyan's office and work-unit names for another county: 黄岩 -> its short name, the
    level 区 -> 县/市, Huangyan's streets 东城/北城 -> the county's first streets."""
    words = {"东城": streets[0][:2], "北城": streets[1][:2]} if len(streets) > 1 else {}
    out = []
    for text in texts:
        text = text.replace("黄岩", "\0")
        for old, new in words.items():
            text = text.replace(old, new)
        out.append(text.replace("区", level).replace("\0", short))
    return tuple(out)


def rank_weights(sequence, n: int) -> np.ndarray:
    """Huangyan's per-rank sequence for n streets: the zones' values, then the others'
    stretched over the remaining streets."""
    head = np.asarray(sequence[:ZONES], dtype=float)
    rest = np.asarray(sequence[ZONES:], dtype=float)
    if n <= ZONES:
        return head[:n]
    at = np.linspace(0, len(rest) - 1, n - ZONES) if n - ZONES > 1 else np.zeros(1)
    return np.concatenate([head, np.interp(at, np.arange(len(rest)), rest)])


def profile_for(county, rng: np.random.Generator) -> CountyProfile:
    """The profile of one county (a row with adcode, name, city, area_km2 and its WGS84
    geometry); Huangyan's is the article's (:func:`geo.sample.huangyan.huangyan`)."""
    adcode = str(county["adcode"])
    if adcode == HUANGYAN_ADCODE:
        from geo.sample.huangyan import huangyan

        return huangyan()
    from geo.sample.huangyan import HUANGYAN_OFFICES, HUANGYAN_WORK_UNITS

    name, f = str(county["name"]), size_factor(county["area_km2"])
    rates = {key: float(rng.uniform(low, high)) for key, (low, high) in RATE_RANGES.items()}
    counts = scaled_counts(f)
    for key in ("members", "members_reported"):  # members per grid: the county's own
        counts[key] = max(1, round(counts[key] * rates["members"]))
    outline = to_metric(county["geometry"])
    largest = max(outline.geoms, key=lambda g: g.area)
    seat = polylabel(largest, tolerance=25.0)
    radius = URBAN_RADIUS_M * np.sqrt(f)
    urban = _multi(outline.intersection(seat.buffer(radius, quad_segs=32)))
    seats, names = street_layout(urban, (seat.x, seat.y), radius, counts["streets"], rng)
    codes = tuple(f"{adcode}{k + 1:03d}" for k in range(len(names)))
    n = len(codes)
    communities = _apportion(counts["communities"], rank_weights(RANK_COMMUNITIES, n), 1)
    compounds = _apportion(counts["compounds"], rank_weights(RANK_COMPOUNDS, n), 1)
    level, short = name[-1], short_name(name)
    stations = (
        (f"{names[0][:2]}先锋驿站", "pioneer_post", codes[0]),
        (f"{names[3][:2]}先锋驿站", "pioneer_post", codes[3]),
        (f"{names[1][:2]}联勤共治站", "joint_duty_station", codes[1]),
        (f"{names[2][:2]}联勤共治站", "joint_duty_station", codes[2]),
    )
    return CountyProfile(
        adcode=adcode, name=name, short=short, level=level, city=str(county.get("city") or ""),
        factor=f, outline=outline, urban=urban, street_codes=codes, street_names=names,
        street_seats=seats, street_relax=1,
        communities_per_street=dict(zip(codes, (int(c) for c in communities))),
        street_density=dict(zip(codes, (float(d) for d in rank_weights(RANK_DENSITY, n)))),
        compounds_per_street=dict(zip(codes, (int(c) for c in compounds))),
        zone_streets=codes[:ZONES], core_street=codes[0], core_name=f"{name}党群服务中心",
        stations=stations, alliance_streets=codes[: min(counts["alliances"], n)],
        firm_prefix=f"{county.get('city') or ''}{short}",
        offices=localise(HUANGYAN_OFFICES, short, level),
        work_units=localise(HUANGYAN_WORK_UNITS, short, level, names),
        counts=counts, rates=rates,
    )


def street_layout(urban, seat, radius: float, n: int, rng) -> tuple[np.ndarray, tuple]:
    """Seats of n streets (metric) and their names: 城中 at the county seat, a ring of n-1
    seats around it (a seat that falls outside the urban part moves to a random point of
    it), named 城东/城西/城南/城北 by direction, the others from :data:`STREET_WORDS`."""
    k = n - 1
    angles = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(k) / k
    angles = angles + rng.uniform(-0.2, 0.2, k)
    radii = radius * RING * rng.uniform(0.85, 1.15, k)
    ring = np.column_stack([seat[0] + radii * np.cos(angles), seat[1] + radii * np.sin(angles)])
    outside = ~shapely.contains_xy(urban, ring[:, 0], ring[:, 1])
    if outside.any():
        ring[outside] = sample_points(urban, int(outside.sum()), rng)
    centre = np.asarray(seat, dtype=float)
    if not shapely.contains_xy(urban, *centre):
        centre = np.asarray(shapely.get_coordinates(urban.representative_point())[0])
    bearing = np.degrees(np.arctan2(ring[:, 1] - centre[1], ring[:, 0] - centre[0])) % 360
    order, names = [], []
    free = list(range(k))
    for word, target in CARDINALS:
        if not free:
            break
        gap = [abs((bearing[i] - target + 180) % 360 - 180) for i in free]
        pick = free.pop(int(np.argmin(gap)))
        order.append(pick)
        names.append(f"城{word}街道")
    words = iter(rng.permutation(STREET_WORDS))
    for i in free:
        order.append(i)
        names.append(f"{next(words)}街道")
    seats = np.vstack([centre[None, :], ring[order]])
    return seats, ("城中街道", *names)
