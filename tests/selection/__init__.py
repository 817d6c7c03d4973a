"""Tests of the pure key-account selection modules (no Django, no database)."""
