"""Projects: a wijkdocent's neighbourhood project with a partner, its brief and status."""
