"""Writes with rules for the duty system, one module per concern."""
