"""What a plan writes: the values per salesperson, the dropback's groups, and what leaves
each holder's count."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.sales_dropback import (
    DropbackFilter,
)
from odoo_lead_manager.config.schema.selection import (
    WorkloadCounting,
)
from odoo_lead_manager.domain.model import (
    Assignment,
    Lead,
)
from odoo_lead_manager.domain.plan import WriteGroup
from odoo_lead_manager.ops.logs import Said
from odoo_lead_manager.pipeline.finding.dropback import Dropback, DropbackTarget
from odoo_lead_manager.pipeline.workload import (
    lead_move,
)


def write_groups(
    dist: Distribution,
    assignments: Sequence[Assignment],
    teams: Mapping[int, int | None],
    owners: Sequence[str],
) -> tuple[WriteGroup, ...]:
    """The §17.2 values per salesperson: owner fields, status reset, team (`write_teams`)."""
    by_user: dict[int, list[int]] = {}
    for assignment in assignments:
        by_user.setdefault(assignment.user_id, []).append(assignment.lead_id)
    groups = []
    for user_id, lead_ids in by_user.items():
        values: dict[str, object] = {field: user_id for field in owners}
        if dist.status_reset is not None:
            values["status"] = dist.status_reset
        team_id = teams.get(user_id)
        if team_id is not None:
            values["team_id"] = team_id
        groups.append(WriteGroup(tuple(sorted(lead_ids)), values))
    return tuple(groups)


def releasing(
    leads: Sequence[Lead], values: Mapping[str, object], counting: WorkloadCounting
) -> dict[int, int]:
    """How many of ``leads`` would leave each holder's workload count if handed to someone else.

    Target-based strategies measure a deficit from what a salesperson keeps:
    the distributable leads they hold go to others, never back to them.
    """
    counts: dict[int, int] = {}
    for lead in leads:
        leaves, joins, _ = lead_move(lead, values, counting)
        if leaves is not None and joins != leaves:
            counts[leaves] = counts.get(leaves, 0) + 1
    return counts


def dropback_plan(
    dropback: Dropback | None, leads: Sequence[Lead], owner_field: str
) -> tuple[tuple[Assignment, ...], tuple[WriteGroup, ...]]:
    """Each dropped-back lead to its campaign's user (§3.6), and one write group per rule
    (per rule and team when leads keep their own team)."""
    if dropback is None:
        return (), ()
    assignments = []
    groups: dict[tuple[str, int | None], tuple[DropbackTarget, list[int]]] = {}
    for lead in leads:
        target = dropback.target(lead)
        if target is None:  # the finder only lets routable leads through
            raise AssertionError(f"dropback lead {lead.id} has no target")
        assignments.append(
            Assignment(
                lead.id, target.user_id, getattr(lead, owner_field), f"dropback: {target.campaign}"
            )
        )
        key = (target.campaign, lead.team_id if target.keep_team else None)
        groups.setdefault(key, (target, []))[1].append(lead.id)
    writes = tuple(
        WriteGroup(
            tuple(sorted(ids)),
            {**target.values, **({"team_id": team} if target.keep_team else {})},
            dropback.batch_size,
        )
        for (_, team), (target, ids) in groups.items()
    )
    return tuple(assignments), writes if dropback.assign else ()


def dropback_said(
    cfg: DropbackFilter,
    dropback: Sequence[Assignment],
    leads: Mapping[int, Lead],
    names: Mapping[int, str],
) -> list[Said]:
    """``dropback_filter.logging``: a line per campaign, and per lead with its details."""
    settings = cfg.logging
    if not settings.log_dropback_assignments:
        return []
    level = logging.getLevelName(settings.log_level.upper())
    counts: dict[tuple[str, int], int] = {}
    for assignment in dropback:
        key = (assignment.reason.removeprefix("dropback: "), assignment.user_id)
        counts[key] = counts.get(key, 0) + 1
    said = [
        Said(level, "dropback %s: %d leads to %s", (campaign, count, names.get(user_id, user_id)))
        for (campaign, user_id), count in sorted(counts.items())
    ]
    if settings.include_lead_details:
        for assignment in dropback:
            lead = leads[assignment.lead_id]
            said.append(
                Said(
                    level,
                    "dropback lead %d (status %r, source %r, dated %s, held by %s) to %s",
                    (
                        lead.id,
                        lead.status,
                        lead.source,
                        lead.source_date or lead.create_date,
                        names.get(assignment.previous_user_id or 0, assignment.previous_user_id),
                        names.get(assignment.user_id, assignment.user_id),
                    ),
                )
            )
    return said
