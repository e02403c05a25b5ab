"""Tests of the plain domain values."""
