"""Personal-data rights (AVG): the register of personal data, a person's own data export,
erasure by anonymisation, retention, and the record of who looked at a student's data. Above
every feature in the import order: it reads what each feature holds about a person."""
