"""Neighbourhoods (wijken): where projects take place and partner organisations work."""
