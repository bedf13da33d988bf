"""Tasks: the team's collective work log with hours per participant, the supervisor's
verification, supervision sessions and school visits."""
