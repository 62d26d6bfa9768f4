"""aployee-sim: the Aployee platform on your laptop, on a deterministic virtual clock.

`aployee_sim.Simulator` is the Python API; `aployee_sim.schemas`, `aployee_sim.goldens` and
`aployee_sim.resources` reach the JSON Schemas, golden payloads and example scenarios that ship in
the package (docs/integrators.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Simulator", "ApiError", "Timings", "__version__"]

if TYPE_CHECKING:
    from aployee_sim.api import Simulator
    from aployee_sim.contract.errors import ApiError
    from aployee_sim.core.timings import Timings

_LAZY = {"Simulator": "aployee_sim.api", "ApiError": "aployee_sim.contract.errors", "Timings": "aployee_sim.core.timings"}
_DATA_MODULES = ("schemas", "goldens", "resources")


def __getattr__(name: str) -> Any:
    # Lazy, so `import aployee_sim` (e.g. by the pytest plugin at every pytest start-up) stays cheap.
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _DATA_MODULES:
        return importlib.import_module(f"aployee_sim.{name}")
    raise AttributeError(f"module 'aployee_sim' has no attribute {name!r}")
