"""Jurisdictions (states, counties, places) and the agencies that police them."""
