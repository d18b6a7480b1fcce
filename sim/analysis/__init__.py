"""Downstream of the runs: summaries, validation, scoring, calibration, attribution, sensitivity, figures."""
