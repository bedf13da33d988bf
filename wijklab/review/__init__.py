"""One-click review: the supervisor decides on a task or a goal from a link in an e-mail,
without logging in. Above goals in the import order (it acts through tasks' and goals' own
services, under the same rules as in the app)."""
