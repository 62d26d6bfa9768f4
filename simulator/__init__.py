"""aployee-sim: the Aployee platform on your laptop, on a deterministic virtual clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Simulator", "ApiError", "Timings", "__version__"]

if TYPE_CHECKING:
    from simulator.api import Simulator
    from simulator.errors import ApiError
    from simulator.timings import Timings


def __getattr__(name: str) -> Any:
    # Lazy, so `import simulator` (e.g. by the pytest plugin) stays cheap.
    if name == "Simulator":
        from simulator.api import Simulator
        return Simulator
    if name == "ApiError":
        from simulator.errors import ApiError
        return ApiError
    if name == "Timings":
        from simulator.timings import Timings
        return Timings
    raise AttributeError(name)
