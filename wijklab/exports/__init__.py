"""Exports of participations and learning goals (CSV, xlsx) and the neighbourhood report."""
