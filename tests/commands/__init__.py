"""Tests of the verbs' own behaviour: what `odlm status` reports, what a failed command alerts."""
