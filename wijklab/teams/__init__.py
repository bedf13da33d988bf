"""Teams: mixed mbo/hbo teams in a project, their members and peer coaches, the composition rules
that gate activating a project, the team builder and the handover note."""
