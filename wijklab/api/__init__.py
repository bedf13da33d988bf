"""Machine-facing endpoints: the health check, personal access tokens and the JSON API v1."""
