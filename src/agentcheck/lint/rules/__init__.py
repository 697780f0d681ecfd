"""Shared by the rule modules."""
