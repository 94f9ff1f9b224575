"""People who sign in, their roles, and API tokens."""
