"""What a run says about itself (``monitoring``): its time, its stages, its memory, a slow run."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from odoo_lead_manager.config.schema.operations import Monitoring


@dataclass(frozen=True)
class Line:
    """One thing to say about the run, at a log level; ``shown`` on the console too."""

    level: int
    text: str
    shown: bool = True


def monitoring_lines(
    settings: Monitoring,
    seconds: float,
    stages: Mapping[str, float],
    memory_mb: float | None = None,
) -> list[Line]:
    """The lines ``monitoring`` asks for about a run that took ``seconds``."""
    lines = []
    if settings.log_execution_time:
        # The console's execution summary always ends with the time: the log gets it here.
        lines.append(Line(logging.INFO, f"execution time {seconds:.2f} s", shown=False))
    if settings.enable_performance_tracking and stages:
        parts = ", ".join(f"{name} {value:.2f} s" for name, value in stages.items())
        lines.append(Line(logging.INFO, f"stages: {parts}"))
    if settings.track_memory_usage and memory_mb is not None:
        lines.append(Line(logging.INFO, f"peak memory {memory_mb:.0f} MB"))
    threshold = settings.slow_execution_threshold_seconds
    if settings.alert_on_slow_execution and seconds > threshold:
        lines.append(
            Line(
                logging.WARNING,
                f"SLOW RUN: {seconds:.1f} s, over monitoring.slow_execution_threshold_seconds "
                f"({threshold:g} s)",
            )
        )
    return lines
