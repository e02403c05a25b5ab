"""pipeline/inspect."""
