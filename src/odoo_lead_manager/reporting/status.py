"""`odlm status`: did this morning's distribution run, and how did it end?

Pure: the command line reads the run journal, the kept snapshots and the
audit trail; this decides what they say, with an exit status a monitoring
check alerts on (Nagios' "0 OK" and "1 WARNING" fit the first two):

- 0: the campaign was distributed in today's period (its
  ``distribution_frequency``: the day, week or month), or it is not active;
- 1: a run failed or is unfinished (stopped, killed while writing, or an
  attempt today that ended with an error before it could be journalled);
- 3: no run yet in today's period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from odoo_lead_manager.domain.runs import APPLYING, UNDO_DIGEST, RunRecord, Undelivered
from odoo_lead_manager.ops.text import plural

COMPLETED_TODAY = 0
FAILED = 1
NOT_RUN_YET = 3
# The status of several campaigns is the worst of theirs.
_SEVERITY = {COMPLETED_TODAY: 0, NOT_RUN_YET: 1, FAILED: 2}


@dataclass(frozen=True)
class CampaignStatus:
    """What the records say about one configuration's campaign on ``today``."""

    config: str
    campaign: str
    today: date
    active: bool
    last_run: RunRecord | None
    done: RunRecord | None
    unfinished: tuple[RunRecord, ...]
    last_dry_run: datetime | None
    failures: tuple[Mapping[str, Any], ...]
    # Digests of recent runs that did not reach some salespeople (they do not change the
    # exit status: the run itself stands).
    undelivered: tuple[Undelivered, ...] = ()

    @property
    def exit_status(self) -> int:
        if self.unfinished:
            return FAILED
        if self.done is not None or not self.active:
            return COMPLETED_TODAY
        if self.failures:
            return FAILED
        return NOT_RUN_YET

    @property
    def verdict(self) -> str:
        status = self.exit_status
        if status == FAILED and self.unfinished:
            first = self.unfinished[0]
            state = "killed or still writing" if first.status == APPLYING else first.status
            return (
                f"UNFINISHED: run {first.run_id} of {first.run_date} ({state}); "
                f"finish it with: odlm dailydist --config {self.config}"
            )
        if status == FAILED:
            error = self.failures[-1].get("error", "an error")
            return f"FAILED today at {_clock(self.failures[-1])}: {error}"
        if self.done is not None:
            written = plural(self.done.written, "lead")
            return f"OK: distributed (run {self.done.run_id}, {written} written)"
        if not self.active:
            return "OK: the campaign is not active (campaign.active: false); nothing to run"
        return f"NOT RUN YET in today's period ({self.today})"

    def to_dict(self) -> dict[str, Any]:
        last = self.last_run
        return {
            "config": self.config,
            "campaign": self.campaign,
            "today": self.today.isoformat(),
            "active": self.active,
            "exit_status": self.exit_status,
            "verdict": self.verdict,
            "distributed_today": self.done is not None,
            "last_run": None if last is None else _run_dict(last),
            "unfinished": [_run_dict(r) for r in self.unfinished],
            "last_dry_run": _utc(self.last_dry_run).isoformat() if self.last_dry_run else None,
            "failed_attempts_today": [dict(f) for f in self.failures],
            "undelivered_digests": [
                {
                    "run_id": u.run_id,
                    "date": u.run_date.isoformat(),
                    "kind": u.kind,
                    "salespeople": list(u.salespeople),
                    "reasons": list(u.reasons),
                    "resend": self.resend_command(u),
                }
                for u in self.undelivered
            ],
        }

    def lines(self) -> list[str]:
        out = [f"{self.campaign or '(any campaign)'} ({self.config}): {self.verdict}"]
        last = self.last_run
        if last is not None:
            out.append(
                f"  last real run: {last.run_id} of {last.run_date}, {last.status}, "
                f"{last.written:,} of {plural(last.planned, 'lead')} written, "
                f"{last.failed:,} failed, "
                f"started {last.started_at:%Y-%m-%d %H:%M} UTC"
            )
            if last.message:
                out.append(f"    {last.message}")
        else:
            out.append("  no real run in the run journal")
        if self.last_dry_run is not None:
            out.append(f"  last dry run: {self.last_dry_run:%Y-%m-%d %H:%M} UTC")
        for failure in self.failures:
            out.append(f"  failed attempt at {_clock(failure)}: {failure.get('error', '')}")
        for undelivered in self.undelivered:
            out.append(self._undelivered_line(undelivered))
        return out

    def resend_command(self, undelivered: Undelivered) -> str:
        return f"odlm digests resend {undelivered.run_id} --config {self.config}"

    def _undelivered_line(self, undelivered: Undelivered) -> str:
        what = (
            "corrections of the undo of run"
            if undelivered.kind == UNDO_DIGEST
            else "digests of run"
        )
        people = undelivered.salespeople
        names = ", ".join(people[:5]) + (f" and {len(people) - 5} more" if len(people) > 5 else "")
        return (
            f"  {what} {undelivered.run_id} of {undelivered.run_date} NOT DELIVERED to "
            f"{plural(len(people), 'salesperson', 'salespeople')} ({names}): "
            f"{'; '.join(undelivered.reasons[:3])}; "
            f"send them again with: {self.resend_command(undelivered)}"
        )


def campaign_status(
    config: str,
    campaign: str,
    today: date,
    active: bool,
    last_run: RunRecord | None,
    done: RunRecord | None,
    unfinished: Sequence[RunRecord],
    last_dry_run: datetime | None,
    audit_entries: Sequence[Mapping[str, Any]],
    undelivered: Sequence[Undelivered] = (),
) -> CampaignStatus:
    """The status from the records; only today's failed attempts after its last run count."""
    ours = [e for e in audit_entries if e.get("campaign", "") == campaign]
    failures = [e for e in ours if e.get("outcome") == "failed"]
    if last_run is not None:
        since = _utc(last_run.updated_at)
        failures = [f for f in failures if (_when(f) or since) > since]
    return CampaignStatus(
        config,
        campaign,
        today,
        active,
        last_run,
        done,
        tuple(unfinished),
        last_dry_run,
        tuple(failures),
        tuple(undelivered),
    )


def overall(statuses: Sequence[CampaignStatus]) -> int:
    """The worst exit status of several campaigns."""
    return max((s.exit_status for s in statuses), key=_SEVERITY.__getitem__, default=NOT_RUN_YET)


def _run_dict(record: RunRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "date": record.run_date.isoformat(),
        "status": record.status,
        # The journal keeps naive UTC; machine output says so (…+00:00).
        "started_at": _utc(record.started_at).isoformat(),
        "updated_at": _utc(record.updated_at).isoformat(),
        "planned": record.planned,
        "written": record.written,
        "left_alone": record.skipped,
        "failed": record.failed,
        "message": record.message,
    }


def _utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC time; the journal's databases keep naive UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(entry: Mapping[str, Any]) -> datetime | None:
    try:
        return _utc(datetime.fromisoformat(str(entry.get("time", ""))))
    except ValueError:
        return None


def _clock(entry: Mapping[str, Any]) -> str:
    when = _when(entry)
    return f"{when:%H:%M} UTC" if when is not None else "an unknown time"
