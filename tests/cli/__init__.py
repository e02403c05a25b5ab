"""Tests of the command line itself: parsing, and what it loads before a verb runs."""
