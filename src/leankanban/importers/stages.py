"""Stage names from CRMs: which ones are outcomes, and in what order a pipeline runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from leankanban.domain.model import KIND_FOR_STATUS, STATUS_FOR_KIND, DealStatus, StageKind
from leankanban.importers.model import ImportedStage

_WON = re.compile(r"(?<![\w'])(?:closed ?won|won|closedwon|deal won|gewonnen|gagn[ée]e?|ganad[ao])(?![\w'])")
_LOST = re.compile(r"(?<![\w'])(?:closed ?lost|lost|closedlost|deal lost|verloren|perdue?|perdid[ao])(?![\w'])")

# Most specific first: the first pattern that matches gives the rank.
_RANKS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern), rank)
    for pattern, rank in (
        (r"perception", 70),
        (r"decision", 60),
        (r"value prop", 50),
        (r"negotiat", 100),
        (r"contract|verbal|commit|closing", 90),
        (r"proposal|quote|offer|pricing|angebot", 80),
        (r"need|discovery|demo|presentation|solution|evaluat", 40),
        (r"contact|appointment|meeting|first call|intro", 30),
        (r"qualif", 20),
        (r"prospect", 10),
        (r"^(?:lead|leads|new|new lead|inbox|backlog|ideas?|incoming|to ?do|open|unqualified)$|lead in", 0),
    )
)


def outcome_kind(name: str) -> StageKind | None:
    """WON for `Closed Won`, `won`, `closedwon` ...; LOST likewise; None for an open stage."""
    key = name.casefold()
    if _WON.search(key):
        return StageKind.WON
    if _LOST.search(key):
        return StageKind.LOST
    return None


def known_rank(name: str) -> int | None:
    """Where a well-known sales stage sits in a pipeline (lower is earlier), or None."""
    key = " ".join(name.casefold().split())
    for pattern, rank in _RANKS:
        if pattern.search(key):
            return rank
    return None


def order_open_stages(
    names: Sequence[str],
    *,
    probability: Mapping[str, float] | None = None,
) -> list[str]:
    """Put open stages (given in first-appearance order) into pipeline order.

    All names well known -> by known rank. Otherwise, a probability for every
    stage -> by probability (ties by rank, then appearance). Otherwise the
    well-known names are sorted among the places they hold and the rest stay
    where they first appeared.
    """
    names = list(dict.fromkeys(names))
    ranks = {n: known_rank(n) for n in names}
    appearance = {n: i for i, n in enumerate(names)}
    if all(r is not None for r in ranks.values()):
        return sorted(names, key=lambda n: (ranks[n], appearance[n]))
    if probability and all(n in probability for n in names):
        return sorted(
            names,
            key=lambda n: (probability[n], ranks[n] if ranks[n] is not None else 10**6, appearance[n]),
        )
    slots = [i for i, n in enumerate(names) if ranks[n] is not None]
    ordered_known = sorted((names[i] for i in slots), key=lambda n: (ranks[n], appearance[n]))
    result = list(names)
    for slot, name in zip(slots, ordered_known, strict=True):
        result[slot] = name
    return result


def build_stages(open_names: Iterable[str], kinds: Mapping[str, StageKind]) -> tuple[ImportedStage, ...]:
    """Open stages in the given order, then won stages, then lost ones."""
    open_list = [n for n in open_names if kinds.get(n, StageKind.OPEN) is StageKind.OPEN]
    won = [n for n, k in kinds.items() if k is StageKind.WON]
    lost = [n for n, k in kinds.items() if k is StageKind.LOST]
    ordered = list(dict.fromkeys([*open_list, *won, *lost]))
    return tuple(
        ImportedStage(name, kinds.get(name, StageKind.OPEN), position) for position, name in enumerate(ordered)
    )


#: The domain's stage-kind <-> status maps, under the names the importers use.
STATUS_OF = STATUS_FOR_KIND
KIND_OF = KIND_FOR_STATUS


def outcome_stage_name(kind: StageKind, kinds: Mapping[str, StageKind]) -> str:
    """The stage closed deals of `kind` go to: an existing one of that kind, else `Won`/`Lost`."""
    for name, k in kinds.items():
        if k is kind:
            return name
    return "Won" if kind is StageKind.WON else "Lost"


def status_from_name(stage: str) -> DealStatus:
    """WON or LOST for outcome-like stage names, else OPEN."""
    return STATUS_OF[outcome_kind(stage) or StageKind.OPEN]
