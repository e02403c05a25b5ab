"""What the tracking store is given of a configuration, resolved once by the command
(`commands.resolve.tracking_settings`): where its files live, which database keeps the
journal and the history, and what the history is read for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from odoo_lead_manager.config.schema.connections import DatabaseConnection
from odoo_lead_manager.config.schema.operations import Tracking as TrackingSection
from odoo_lead_manager.config.source import ConfigSource


@dataclass(frozen=True)
class TrackingSettings:
    """``source`` is the configuration's file (messages, relative paths, the environment);
    ``state_dir`` the resolved ``execution.state_dir``; ``database`` the
    ``database_connection`` (None: the local file keeps everything)."""

    source: ConfigSource
    state_dir: Path
    tracking: TrackingSection
    database: DatabaseConnection | None = None
    # ``security.log_audit_trail``.
    audit_trail: bool = False
    campaign: str | None = None
    # ``distribution.round_robin_override.cycle_reset``: the round-robin cycle.
    cycle_reset: str = "daily"
    # The set keys that read what salespeople received in earlier runs (caps, weekend,
    # catch-up), and what they need of it.
    history_keys: tuple[str, ...] = ()
    counts_weekend: bool = False
    catch_up: str = "none"
    catch_up_days: int = 0
    # ``distribution.fairness_window_days``; 0 also when the history keeps no assignments.
    fairness_window_days: int = 0

    @property
    def local_path(self) -> Path:
        """The tracking file used when no tracking database is configured or reachable."""
        return self.state_dir / "tracking.sqlite"
