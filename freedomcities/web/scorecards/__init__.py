"""Policies, their versions, the engine's analyses and people's reviews."""
