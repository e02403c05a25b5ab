"""`odlm ... | head`: a reader that stops reading ends odlm quietly, with status 0."""

from __future__ import annotations

import subprocess
import sys


def test_a_closed_pipe_ends_odlm_quietly_with_status_0() -> None:
    # The reader is gone before odlm writes (as `head` is, once it has its lines): every
    # write odlm makes meets a closed pipe.
    process = subprocess.Popen(
        [sys.executable, "-m", "odoo_lead_manager", "schema"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert errors == ""
