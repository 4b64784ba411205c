"""Sakai City's organisation for the demo data: the lists, and the tree built from them.

Pure: no Django. The names follow Sakai's real organisation (simplified); codes are
systematic 6-digit text so that tests and people can find a unit by its code:

  city "100000"; ward k (official order 1..7) "1k0000", its departments "1kNN00"
  (NN is the same for the same kind of department in every ward); bureau BB "2BB000",
  its divisions "2BBD00", its departments "2BBNN0" (NN counts across the bureau).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

CITY_CODE = "100000"
# The 1 April 2022 reorganisation: 北区's two welfare departments become one.
MERGE_DATE = date(2022, 4, 1)

# Typical monthly sheets (print + copy) in FY2020 by size: S small, M medium, L large.
SCALE = {"S": 9_000, "M": 20_000, "L": 42_000}

# Departments with a public counter: part of their paper is required by law or by
# the residents they serve, so they state excluded sheets (除外枚数).
COUNTER_DEPARTMENTS = frozenset(
    {
        "市民課",
        "保険年金課",
        "子育て支援課",
        "生活援護課",
        "地域福祉・生活援護課",
        "市民税課",
        "固定資産税課",
        "納税課",
        "介護保険課",
        "戸籍住民課",
        "お客さまセンター",
    }
)


@dataclass(frozen=True)
class Ward:
    name: str
    romaji: str
    population: float  # relative size of its departments
    level: float  # the ward's reduction rate once the drive has taken hold


# Official order 堺・中・東・西・南・北・美原. The levels make the wards differ widely,
# as the 31 January 2022 strategy meeting found.
WARDS = (
    Ward("堺区", "sakai", 1.00, 0.36),
    Ward("中区", "naka", 0.95, 0.20),
    Ward("東区", "higashi", 0.70, 0.31),
    Ward("西区", "nishi", 1.00, 0.55),
    Ward("南区", "minami", 1.10, 0.40),
    Ward("北区", "kita", 1.15, 0.57),
    Ward("美原区", "mihara", 0.45, 0.19),
)

# (NN, name, e-mail part, size) — the departments of a ward office.
WARD_DEPARTMENTS = (
    (1, "企画総務課", "kikaku", "M"),
    (2, "自治推進課", "jichi", "S"),
    (3, "市民課", "shimin", "L"),
    (4, "保険年金課", "nenkin", "L"),
    (5, "地域福祉課", "chiiki", "M"),
    (6, "生活援護課", "engo", "L"),
    (7, "子育て支援課", "kosodate", "M"),
    (8, "保健センター", "hoken", "M"),
)
MERGED_WARD = "北区"
MERGED_DEPARTMENT = (9, "地域福祉・生活援護課", "fukushi", "L")
MERGED_FROM = (5, 6)  # 地域福祉課 + 生活援護課
# 美原区 is the smallest ward: its welfare and child-care work sits in 地域福祉課.
WARD_SKIPS = {"美原区": (6, 7)}

# A bureau: (name, e-mail part, level, items); an item is a department
# (name, e-mail part, size) or a division (name, e-mail part, [departments]).
Dept = tuple[str, str, str]
BUREAUS: tuple[tuple[str, str, float, list], ...] = (
    ("市長公室", "koshitsu", 0.42, [
        ("秘書課", "hisho", "S"),
        ("政策企画部", "seisaku", [("企画課", "kikaku", "M"), ("計画推進課", "keikaku", "S")]),
        ("広報戦略部", "koho", [("広報課", "koho", "M"), ("市政情報課", "shisei", "S")]),
        ("ICTイノベーション推進室", "ict", "S"),
    ]),
    ("総務局", "somu", 0.38, [
        ("総務部", "somu", [("総務課", "somu", "M"), ("法制文書課", "hosei", "M"),
                          ("契約課", "keiyaku", "M")]),
        ("人事部", "jinji", [("人事課", "jinji", "M"), ("給与課", "kyuyo", "S")]),
    ]),
    ("財政局", "zaisei", 0.33, [
        ("財政部", "zaisei", [("財政課", "zaisei", "M"), ("資産活用課", "shisan", "S")]),
        ("税務部", "zeimu", [("税制課", "zeisei", "S"), ("市民税課", "shiminzei", "L"),
                          ("固定資産税課", "kotei", "L"), ("納税課", "nozei", "L")]),
    ]),
    ("市民人権局", "shimin", 0.36, [
        ("市民生活部", "seikatsu", [("市民協働課", "kyodo", "S"), ("区政推進課", "kusei", "S"),
                               ("戸籍住民課", "koseki", "M")]),
        ("人権部", "jinken", [("人権推進課", "jinken", "S"),
                           ("男女共同参画推進課", "danjo", "S")]),
    ]),
    ("文化観光局", "bunka", 0.40, [
        ("文化課", "bunka", "S"),
        ("文化財課", "bunkazai", "S"),
        ("観光部", "kanko", [("観光企画課", "kikaku", "S"), ("観光推進課", "suishin", "S")]),
        ("国際交流課", "kokusai", "S"),
    ]),
    ("環境局", "kankyo", 0.44, [
        ("環境保全部", "hozen", [("環境政策課", "seisaku", "M"), ("環境対策課", "taisaku", "S")]),
        ("資源循環部", "junkan", [("資源循環推進課", "junkan", "S"),
                               ("環境事業管理課", "jigyo", "M"),
                               ("環境施設課", "shisetsu", "S")]),
    ]),
    ("健康福祉局", "kenko", 0.33, [
        ("健康福祉総務課", "somu", "M"),
        ("生活援護管理課", "engo", "M"),
        ("長寿社会部", "choju", [("高齢福祉課", "korei", "M"), ("介護保険課", "kaigo", "L")]),
        ("健康部", "kenkobu", [("健康医療推進課", "iryo", "M")]),
        ("障害施策推進課", "shogai", "M"),
    ]),
    ("子ども青少年局", "kodomo", 0.35, [
        ("子ども企画課", "kikaku", "M"),
        ("子ども家庭課", "katei", "M"),
        ("幼保推進課", "yoho", "M"),
        ("子ども育成課", "ikusei", "S"),
        ("子ども相談所", "sodan", "M"),
    ]),
    ("産業振興局", "sangyo", 0.37, [
        ("産業政策課", "seisaku", "S"),
        ("商工労働部", "shoko", [("ものづくり支援課", "monozukuri", "S"),
                              ("商業流通課", "shogyo", "S"), ("雇用推進課", "koyo", "S")]),
        ("農政部", "nosei", [("農政企画課", "kikaku", "S"), ("農水産課", "nosui", "S")]),
    ]),
    ("建築都市局", "kenchiku", 0.31, [
        ("都市計画部", "toshi", [("都市計画課", "keikaku", "M"), ("交通政策課", "kotsu", "S")]),
        ("建築部", "kenchiku", [("建築指導課", "shido", "M"), ("開発調整課", "kaihatsu", "M")]),
        ("住宅部", "jutaku", [("住宅政策課", "seisaku", "S"), ("住宅管理課", "kanri", "M")]),
    ]),
    ("建設局", "kensetsu", 0.30, [
        ("土木部", "doboku", [("土木総務課", "somu", "M"), ("道路計画課", "keikaku", "M"),
                           ("道路整備課", "seibi", "M"), ("河川水路課", "kasen", "S")]),
        ("公園緑地部", "koen", [("公園緑地整備課", "koen", "S")]),
    ]),
    ("上下水道局", "suido", 0.39, [
        ("経営企画課", "keiei", "M"),
        ("総務課", "somu", "M"),
        ("お客さまセンター", "okyaku", "L"),
        ("水道計画課", "josui", "S"),
        ("下水道計画課", "gesui", "S"),
    ]),
    ("消防局", "shobo", 0.45, [
        ("総務課", "somu", "M"),
        ("予防課", "yobo", "M"),
        ("警防課", "keibo", "S"),
        ("救急課", "kyukyu", "S"),
        ("指令課", "shirei", "S"),
    ]),
    ("教育委員会事務局", "kyoiku", 0.32, [
        ("教育政策課", "seisaku", "M"),
        ("総務部", "somu", [("教職員人事課", "jinji", "L"), ("学務課", "gakumu", "M")]),
        ("学校教育部", "gakko", [("教育課程課", "katei", "M"), ("生徒指導課", "shido", "S")]),
        ("中央図書館", "tosho", "S"),
    ]),
)  # fmt: skip


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # a Unit.Kind value
    parent: str | None
    sort_order: int
    email_local: str = ""
    # Departments only: FY2020 monthly sheets, counter (excluded sheets), the level of
    # the ward or bureau above, the months it reports in, its predecessors.
    scale: int = 0
    counter: bool = False
    level: float = 0.0
    first_month: date | None = None
    last_month: date | None = None
    predecessors: tuple[str, ...] = ()

    @property
    def is_department(self) -> bool:
        return self.kind == "department"

    @property
    def active(self) -> bool:
        return self.last_month is None


def _flatten(items: list) -> Iterator[tuple[tuple[str, str] | None, Dept]]:
    """A bureau's departments in order, each with its division (name, e-mail part)."""
    for name, local, rest in items:
        if isinstance(rest, str):
            yield None, (name, local, rest)
        else:
            yield from (((name, local), dept) for dept in rest)


def org_specs() -> list[UnitSpec]:
    """Every unit of the demo tree, parents before children, in display order."""
    specs: list[UnitSpec] = [UnitSpec(CITY_CODE, "堺市", "city", None, 0)]

    def add(code: str, name: str, kind: str, parent: str, local: str, **kw) -> None:
        specs.append(UnitSpec(code, name, kind, parent, len(specs) * 10, local, **kw))

    for k, ward in enumerate(WARDS, start=1):
        ward_code = f"1{k}0000"
        add(ward_code, f"{ward.name}役所", "ward_office", CITY_CODE, f"{ward.romaji}-kucho")
        depts = [d for d in WARD_DEPARTMENTS if d[0] not in WARD_SKIPS.get(ward.name, ())]
        merged = ward.name == MERGED_WARD
        if merged:
            depts.append(MERGED_DEPARTMENT)
        scales = {nn: round(SCALE[size] * ward.population) for nn, _, _, size in depts}
        for nn, name, local, _size in depts:
            kw: dict = {}
            if merged and nn in MERGED_FROM:
                kw["last_month"] = date(MERGE_DATE.year, MERGE_DATE.month - 1, 1)
            elif merged and nn == MERGED_DEPARTMENT[0]:
                kw["first_month"] = MERGE_DATE
                kw["predecessors"] = tuple(f"1{k}{p:02d}00" for p in MERGED_FROM)
                # It does the work of both, so it starts with both one's paper.
                scales[nn] = sum(scales[p] for p in MERGED_FROM)
            add(
                f"1{k}{nn:02d}00", name, "department", ward_code, f"{ward.romaji}-{local}",
                scale=scales[nn], counter=name in COUNTER_DEPARTMENTS, level=ward.level, **kw,
            )  # fmt: skip

    for b, (bureau, b_local, level, items) in enumerate(BUREAUS, start=1):
        bureau_code = f"2{b:02d}000"
        add(bureau_code, bureau, "bureau", CITY_CODE, f"{b_local}-kyokucho")
        divisions: dict[str, str] = {}
        for nn, (division, (name, local, size)) in enumerate(_flatten(items), start=1):
            parent = bureau_code
            if division is not None:
                if division[0] not in divisions:
                    divisions[division[0]] = f"2{b:02d}{len(divisions) + 1}00"
                    add(
                        divisions[division[0]], division[0], "division", bureau_code,
                        f"{b_local}-{division[1]}-bucho",
                    )  # fmt: skip
                parent = divisions[division[0]]
            add(
                f"2{b:02d}{nn:02d}0", name, "department", parent, f"{b_local}-{local}",
                scale=SCALE[size], counter=name in COUNTER_DEPARTMENTS, level=level,
            )  # fmt: skip
    return specs
