"""Machine-facing endpoints: the health check."""
