"""aployee-sim: the Aployee platform on your laptop, on a deterministic virtual clock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Simulator", "ApiError", "Timings", "__version__"]

if TYPE_CHECKING:
    from aployee_sim.api import Simulator
    from aployee_sim.contract.errors import ApiError
    from aployee_sim.core.timings import Timings


def __getattr__(name: str) -> Any:
    # Lazy, so `import simulator` (e.g. by the pytest plugin) stays cheap.
    if name == "Simulator":
        from aployee_sim.api import Simulator
        return Simulator
    if name == "ApiError":
        from aployee_sim.contract.errors import ApiError
        return ApiError
    if name == "Timings":
        from aployee_sim.core.timings import Timings
        return Timings
    raise AttributeError(name)
