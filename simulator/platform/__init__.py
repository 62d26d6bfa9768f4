"""Layer 3, platform: assistants, organizations, numbers and calls on one engine, and the
projections of their event logs into the documented resources. Still no I/O."""
