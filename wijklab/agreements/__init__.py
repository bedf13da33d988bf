"""Start agreements (startafspraken, the "driegesprek"): drawn from the project brief and the
student's own part when a student joins a team, accepted in the app by the student, the team's
supervisor and the project's wijkdocent; a change asks all three again and shows what changed."""
