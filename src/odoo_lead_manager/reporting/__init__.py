"""Outputs for people and machines."""
