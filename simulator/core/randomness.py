"""The one seeded random source: every ID, jitter and probability comes from here.

The platform's stream issues the world's ids (assistants, organizations); each call draws from a
stream of its own, `for_call(key)`, derived from the seed and the call's identity alone, so adding,
removing or reordering one call changes no other call's record (docs/architecture.md, "What calls
share")."""

from __future__ import annotations

import random

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
ID_LENGTH = 16


class SeededRandom:
    """A `random.Random` with the helpers the simulator needs; draws happen in event order."""

    __slots__ = ("seed", "taken", "_rng", "uniform", "random")

    def __init__(self, seed: int | str = 0) -> None:
        self.seed = seed
        # Ids that must never be issued (a store already holds them: `Platform.resume`). Empty for a
        # fresh platform, so the same seed gives the same ids as ever.
        self.taken: set[str] = set()
        self._rng = random.Random(seed)
        self.uniform = self._rng.uniform
        self.random = self._rng.random

    def for_call(self, key: str) -> SeededRandom:
        """The stream of the call whose identity is `key` (e.g. `api 3`, the fourth call placed, or a
        scenario call's name): a string seed, which `random.Random` hashes with SHA-512, so it is the
        same in every process. It skips the same `taken` ids as this stream."""
        stream = SeededRandom(f"{self.seed}|{key}")
        stream.taken = self.taken
        return stream

    def make_id(self, prefix: str) -> str:
        """`call_…`, `asst_…`: the prefix, an underscore, lowercase alphanumerics (docs/contract.md §2).

        A draw that is in `taken` is skipped (the next draw is used), so a restarted server never
        reissues a stored id."""
        while True:
            new_id = prefix + "_" + "".join(self._rng.choices(_ALPHABET, k=ID_LENGTH))
            if new_id not in self.taken:
                return new_id

    def jitter_ms(self, low_ms: int, high_ms: int) -> int:
        """A whole number of milliseconds drawn uniformly from [low, high]."""
        if high_ms <= low_ms:
            return low_ms
        # One float draw (randint costs ~4x more, and this runs several times per turn).
        return low_ms + int(self.random() * (high_ms - low_ms + 1))
