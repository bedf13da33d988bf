"""Tests for the practical-training statement and neighbourhood report PDFs."""
