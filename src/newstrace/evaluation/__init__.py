"""Evaluation: metrics, dev corpora, eval tasks, planted cases and calibration."""
