"""Embedding: the sentence encoder and the per-article analysis (Prepared) built on it."""
