"""Matching: candidate pairs, span alignment, span verification, passages, relations, pivots."""
