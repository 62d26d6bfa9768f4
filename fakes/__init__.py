"""The world outside the platform: the phone network, callers, and the people transfers reach."""
