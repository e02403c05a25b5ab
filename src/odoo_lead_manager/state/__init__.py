"""What odlm keeps between runs: the run journal and its lock, the history and its queries,
the audit trail, the round-robin rotation, and the migrations of the tracking database."""
