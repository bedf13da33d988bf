"""Accounts: users, roles, student and supervisor profiles, login, sessions, language choice."""
