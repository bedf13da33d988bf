"""Organisations: schools that send students and partner organisations that host them."""
