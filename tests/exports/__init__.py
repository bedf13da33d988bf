"""Tests for the CSV and xlsx export writers."""
