"""Reorganisations: which share of a predecessor's work each heir takes over (DESIGN.md §2,
Reorganisations).

A predecessor named by one heir only, and abolished, needs no share (all of it). A
predecessor named by several heirs, or one that stays active while an heir names it,
needs a share on every link; the shares an abolished predecessor gives sum to 1, and an
active one keeps 1 − Σ(shares given). These rules are checked here once, for the org
master import and the admin alike; ``effective_shares`` gives the numbers the baselines
use. Pure: no Django.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TOLERANCE = Decimal("0.001")
_SHARE = re.compile(r"(\d{1,3}(?:\.\d{1,6})?|\.\d{1,6})(%?)", re.ASCII)


@dataclass(frozen=True)
class Link:
    """``heir`` takes over ``share`` of ``predecessor`` (None: not stated)."""

    heir: str
    predecessor: str
    share: Decimal | None = None


@dataclass(frozen=True)
class LinkProblem:
    """A rule a set of links breaks; ``heirs`` are the units whose rows carry the links,
    ``predecessor`` the unit whose work they share (the heir itself for a cycle)."""

    heirs: tuple[str, ...]
    message: str
    predecessor: str = ""


def parse_share(text: str) -> Decimal:
    """'0.4', '40%', '４０％' → Decimal('0.4'); ValueError (Japanese) when unreadable or
    outside 0 to 1."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    found = _SHARE.fullmatch(cleaned)
    if not found:
        raise ValueError(f"引継割合「{text}」を読めません。0.4 または 40% のように書いてください。")
    try:
        value = Decimal(found.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"引継割合「{text}」を読めません。") from None
    if found.group(2):
        value /= 100
    if not Decimal(0) <= value <= Decimal(1):
        raise ValueError(f"引継割合「{text}」は 0〜1（0%〜100%）で書いてください。")
    return value


def parse_link(heir: str, entry: str, normalize_code) -> Link:
    """One 前身所属コード entry, 'CODE' or 'CODE:SHARE' (a full-width colon too)."""
    code, _, share = unicodedata.normalize("NFKC", entry).partition(":")
    predecessor = normalize_code(code)
    if not predecessor:
        raise ValueError(f"前身所属コード「{entry}」にコードがありません。")
    return Link(heir, predecessor, parse_share(share) if share.strip() else None)


def check_links(links: Iterable[Link], active: Mapping[str, bool]) -> list[LinkProblem]:
    """Every way ``links`` break the rules of shares; ``active`` says which units stay."""
    given: dict[str, list[Link]] = defaultdict(list)
    problems = []
    for link in links:
        if link.heir == link.predecessor:
            problems.append(
                LinkProblem((link.heir,), "自分自身を前身所属に指定しています。", link.heir)
            )
            continue
        given[link.predecessor].append(link)
    for predecessor, heirs in given.items():
        stays = active.get(predecessor, False)
        names = tuple(sorted(link.heir for link in heirs))
        missing = [link.heir for link in heirs if link.share is None]
        if missing and (len(heirs) > 1 or stays):
            why = "存続する所属" if stays else f"{len(heirs)}つの所属に分割される所属"
            problems.append(
                LinkProblem(
                    tuple(sorted(missing)),
                    f"前身所属「{predecessor}」は{why}なので、引継割合を"
                    f"「{predecessor}:40%」のように書いてください。",
                    predecessor,
                )
            )
            continue
        total = sum((link.share for link in heirs if link.share is not None), Decimal(0))
        if not stays and not missing and abs(total - 1) > TOLERANCE:
            problems.append(
                LinkProblem(
                    names,
                    f"廃止される前身所属「{predecessor}」の引継割合の合計が"
                    f" {_percent(total)} です。"
                    "合計が100%になるようにしてください。",
                    predecessor,
                )
            )
        if stays and total > 1 + TOLERANCE:
            problems.append(
                LinkProblem(
                    names,
                    f"前身所属「{predecessor}」の引継割合の合計が {_percent(total)} で、"
                    "100%を超えています。",
                    predecessor,
                )
            )
    problems.extend(_cycles(given))
    return problems


def effective_shares(
    links: Iterable[Link], active: Mapping[str, bool]
) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """The numbers the baselines use: each (heir, predecessor) link's share (1 where none
    is stated), and what each active predecessor keeps of its own (1 − Σ shares given)."""
    shares: dict[tuple[str, str], float] = {}
    given: dict[str, float] = defaultdict(float)
    for link in links:
        share = 1.0 if link.share is None else float(link.share)
        shares[(link.heir, link.predecessor)] = share
        given[link.predecessor] += share
    kept = {unit: max(0.0, 1 - total) for unit, total in given.items() if active.get(unit)}
    return shares, kept


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def _cycles(given: Mapping[str, list[Link]]) -> list[LinkProblem]:
    """Units that are, through links, their own predecessor."""
    behind: dict[str, set[str]] = defaultdict(set)
    for predecessor, links in given.items():
        for link in links:
            behind[link.heir].add(predecessor)
    problems = []
    for start in sorted(behind):
        seen, todo = set(), list(behind[start])
        while todo:
            unit = todo.pop()
            if unit == start:
                problems.append(
                    LinkProblem((start,), "前身所属をたどると自分自身に戻ります（循環）。", start)
                )
                break
            if unit not in seen:
                seen.add(unit)
                todo.extend(behind.get(unit, ()))
    return problems
