"""Presentation: the decision sentence, charts and the procurement report, built from a scenario and its results."""
