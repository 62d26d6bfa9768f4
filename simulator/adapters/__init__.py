"""Layer 4, adapters: the real outside world behind the core's seams — HTTP webhook delivery,
the SQLite store, speech recognition and synthesis."""
