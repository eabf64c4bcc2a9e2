"""Place an import's stages on an existing board: every source stage needs a home."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import StageKind
from leankanban.importers.errors import UnmappedStages
from leankanban.importers.model import ImportBatch, ImportedDeal, ImportedStage, StageEntry
from leankanban.importers.pipeline import entered
from leankanban.importers.stages import STATUS_OF, outcome_kind


def parse_stage_map(pairs: Iterable[str]) -> dict[str, str]:
    """`["Closed Won=Won", "Needs Analysis=Discovery"]` -> {source: board}; InvalidInput if malformed."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise InvalidInput(f"'{pair}' is not SOURCE_STAGE=BOARD_STAGE.", field="stage_map")
        mapping[source.strip()] = target.strip()
    return mapping


def apply_stage_map(
    batch: ImportBatch,
    mapping: Mapping[str, str],
    board_stages: Sequence[str] | Mapping[str, StageKind],
) -> ImportBatch:
    """The batch with its stages renamed onto `board_stages`.

    A source stage maps through `mapping` (keys and targets match
    case-insensitively) or, failing that, to the board stage of the same
    name. Raises UnmappedStages listing every source stage left without a
    board stage and every mapping target the board lacks. When
    `board_stages` maps names to kinds, a deal's status follows the kind of
    the stage it lands in (its closed time falls back to when it entered
    that stage); otherwise kinds are inferred from the source stages.
    """
    board_names = list(board_stages)
    target_of = _targets(batch, mapping, board_names)
    by_board = isinstance(board_stages, Mapping)
    if by_board:
        kinds = {name: StageKind(board_stages[name]) for name in board_names}  # type: ignore[index]
    else:
        kinds = _inferred_kinds(batch, board_names, target_of)
    stages = tuple(ImportedStage(name, kinds[name], i) for i, name in enumerate(board_names))
    deals = tuple(_moved(deal, target_of, kinds if by_board else None) for deal in batch.deals)
    return replace(batch, stages=stages, deals=deals)


def _targets(batch: ImportBatch, mapping: Mapping[str, str], board_names: list[str]) -> dict[str, str]:
    """Source stage -> board stage; UnmappedStages for every stage without one and every unknown target."""
    canonical = {name.casefold(): name for name in board_names}
    wanted = {k.strip().casefold(): v.strip() for k, v in mapping.items()}
    unknown_targets = sorted({t for t in wanted.values() if t.casefold() not in canonical})
    sources = list(dict.fromkeys([s.name for s in batch.stages] + _deal_stages(batch.deals)))
    target_of: dict[str, str] = {}
    unmapped: list[str] = []
    for name in sources:
        target = wanted.get(name.casefold(), name)
        if target.casefold() in canonical:
            target_of[name] = canonical[target.casefold()]
        elif name.casefold() not in wanted:
            unmapped.append(name)
    if unmapped or unknown_targets:
        raise UnmappedStages(unmapped, board_names, unknown_targets)
    return target_of


def _inferred_kinds(batch: ImportBatch, board_names: list[str], target_of: dict[str, str]) -> dict[str, StageKind]:
    """A board stage fed by source stages of one kind takes that kind, else the kind its name says."""
    source_kind = {s.name: s.kind for s in batch.stages}
    kinds = {}
    for name in board_names:
        feeding = {source_kind.get(s, StageKind.OPEN) for s, t in target_of.items() if t == name}
        kinds[name] = feeding.pop() if len(feeding) == 1 else outcome_kind(name) or StageKind.OPEN
    return kinds


def _moved(deal: ImportedDeal, target_of: dict[str, str], kinds: dict[str, StageKind] | None) -> ImportedDeal:
    """The deal on the board; with the board's kinds, its status follows the stage it lands in."""
    stage = target_of[deal.stage]
    history: list[StageEntry] = []
    for entry in deal.history:
        moved = target_of.get(entry.stage, entry.stage)
        if not history or history[-1].stage != moved:
            history.append(StageEntry(moved, entry.at))
    status, closed_at, lost_reason = deal.status, deal.closed_at, deal.lost_reason
    if kinds is not None:
        kind = kinds[stage]
        status = STATUS_OF[kind]
        if kind is StageKind.OPEN:
            closed_at = None
        elif closed_at is None:
            closed_at = entered(history, stage)
        if kind is not StageKind.LOST:
            lost_reason = None
    return replace(
        deal,
        stage=stage,
        history=tuple(history),
        status=status,
        closed_at=closed_at,
        lost_reason=lost_reason,
        expected_close=deal.expected_close if status is deal.status else None,
    )


def _deal_stages(deals: Sequence[ImportedDeal]) -> list[str]:
    names: list[str] = []
    for deal in deals:
        names.append(deal.stage)
        names.extend(e.stage for e in deal.history)
    return names
