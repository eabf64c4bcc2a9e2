"""A board's explicit policies, as data: the one model `leankanban policies` prints in
full (text, Markdown, JSON) and the stand-up report shows briefly.

Pure: a Board in, plain data and text out (user text made visible where it becomes text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leankanban.domain.model import Board
from leankanban.text import visible


def policies_record(board: Board) -> dict[str, Any]:
    """Every policy of the board as JSON-ready data (`leankanban policies --format json`)."""
    return {
        "board": board.name,
        "stages": [
            {"name": s.name, "kind": s.kind.value, "upstream": s.upstream, "wip_min": s.wip_min, "wip_max": s.wip_max,
             "entry_policy": s.entry_policy, "exit_policy": s.exit_policy,
             "gated_by": [c.name for c in board.criteria if s.name in c.required_for]}
            for s in board.stages
        ],
        "criteria": [{"name": c.name, "definition": c.definition, "gates": sorted(c.required_for)} for c in board.criteria],
        "discard_reasons": [{"name": r, "definition": board.reason_definition(r)} for r in board.discard_reasons],
        "lane_limits": [{"lane": x.dimension.value, "value": x.value, "wip_max": x.wip_max} for x in board.lane_limits],
        "stall_days": board.stall_days,
        "review_days": board.review_days,
    }


def _block(text: str) -> list[str]:
    """A policy as written (Markdown), indented under its heading; '(not written yet)' for none.
    Control characters never reach here (rules.validate_policy), but imports could: escape them."""
    if not text:
        return ["_(not written yet)_"]
    return visible(text, multiline=True).splitlines()


def policies_markdown(board: Board) -> str:
    """The policies page (`leankanban policies --format md`; text prints it line by line)."""
    out = [f"# Policies of {visible(board.name)}", ""]
    for s in board.stages:
        limits = []
        if s.wip_min is not None:
            limits.append(f"min {s.wip_min}")
        if s.wip_max is not None:
            limits.append(f"max {s.wip_max}")
        kind = "upstream" if s.upstream else s.kind.value
        out += [f"## {visible(s.name)} ({kind}{', WIP ' + ' '.join(limits) if limits else ''})", ""]
        gates = [c.name for c in board.criteria if s.name in c.required_for]
        if gates:
            out += ["To enter, answered yes: " + ", ".join(visible(g) for g in gates), ""]
        if s.kind.value == "open":
            out += ["**Entry:**", "", *_block(s.entry_policy), "", "**Exit:**", "", *_block(s.exit_policy), ""]
    out += ["## Qualification criteria", ""]
    out += [f"- **{visible(c.name)}**: " + " ".join(_block(c.definition)) for c in board.criteria] or ["_(none)_"]
    out += ["", "## Discard reasons", ""]
    out += [f"- **{visible(r)}**: " + " ".join(_block(board.reason_definition(r))) for r in board.discard_reasons]
    if board.lane_limits:
        out += ["", "## Lane and person WIP limits", ""]
        out += [f"- {x.dimension.value} {visible(x.value)}: at most {x.wip_max}" for x in board.lane_limits]
    out += ["", f"A deal with no activity for {board.stall_days} days is stalled; qualification not reviewed "
            f"for {board.review_days} days needs review.", ""]
    return "\n".join(out)


# -- the stand-up's brief view ------------------------------------------------------

#: How much of a policy the stand-up shows: its first line, cut to this many characters.
BRIEF_CHARS = 60


@dataclass(frozen=True, slots=True)
class StagePolicy:
    """An open stage's policies as written, and the criteria that gate entering it."""

    stage: str
    entry: str
    exit: str
    gated_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicySummary:
    """What a stand-up needs of the policies: each open stage that has one (or a gate),
    and how much of the rest is written down; `leankanban policies` has the whole page."""

    stages: tuple[StagePolicy, ...]
    open_stages: int
    criteria: int
    criteria_defined: int
    reasons: int
    reasons_defined: int


def policy_summary(board: Board) -> PolicySummary:
    """The brief view, read from the same record as the full page."""
    record = policies_record(board)
    open_stages = [s for s in record["stages"] if s["kind"] == "open"]
    return PolicySummary(
        stages=tuple(
            StagePolicy(s["name"], s["entry_policy"], s["exit_policy"], tuple(s["gated_by"]))
            for s in open_stages
            if s["entry_policy"] or s["exit_policy"] or s["gated_by"]
        ),
        open_stages=len(open_stages),
        criteria=len(record["criteria"]),
        criteria_defined=sum(1 for c in record["criteria"] if c["definition"]),
        reasons=len(record["discard_reasons"]),
        reasons_defined=sum(1 for r in record["discard_reasons"] if r["definition"]),
    )


def brief(text: str) -> str:
    """A policy's first line, cut to BRIEF_CHARS with an ellipsis (as written: each
    format escapes it)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= BRIEF_CHARS else first[: BRIEF_CHARS - 1].rstrip() + "…"


def stage_line(policy: StagePolicy) -> list[tuple[str, str]]:
    """A stage's brief policies as (label, text as written) parts: gates, entry, exit
    (each shown as `label text`)."""
    parts = []
    if policy.gated_by:
        parts.append(("gated by", ", ".join(policy.gated_by)))
    if policy.entry:
        parts.append(("entry:", brief(policy.entry)))
    if policy.exit:
        parts.append(("exit:", brief(policy.exit)))
    return parts


def pointer_line(summary: PolicySummary) -> str:
    """How much is written down, and where the whole page is (numbers only, no user text)."""
    written = sum(1 for s in summary.stages if s.entry or s.exit)
    return (
        f"{written} of {summary.open_stages} open stages have written policies; "
        f"{summary.criteria_defined} of {summary.criteria} criteria and "
        f"{summary.reasons_defined} of {summary.reasons} discard reasons are defined. "
        "`leankanban policies` shows them all."
    )
