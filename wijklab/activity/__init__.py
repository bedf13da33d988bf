"""Activity: what happened and who hears of it. One audit trail for every feature, in-app
notifications with per-kind mail preferences, the mail outbox (written in the transaction of the
event, sent after commit) and the jobs that send mail, digests and reminders."""
