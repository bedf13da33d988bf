"""Reports: the dashboard per role (later: progress charts and exports)."""
