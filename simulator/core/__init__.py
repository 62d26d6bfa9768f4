"""Layer 2, core: the virtual clock, the event engine (and the opt-in GC policy of long runs), the
seeded random source, one call's record and process (turn-taking and endings in `call_process`,
owning a reasoning part, `reasoning_turns`, and a transfer part, `transfers`), routing rules,
summaries and the ports (Protocols) through which the outside world plugs in.

No I/O: it imports only `contract` and the standard library, never httpx, starlette, uvicorn,
sqlite3, yaml, the fakes or the TUI (tests/core/test_architecture.py checks).
"""
