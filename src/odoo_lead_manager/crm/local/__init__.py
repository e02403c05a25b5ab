"""crm/local."""
