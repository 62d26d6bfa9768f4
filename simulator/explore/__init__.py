"""`aployee-sim explore`: property-based callers that find and shrink bugs in an integrator's backend.

A scenario's `explore:` section declares what callers may say and press; Hypothesis generates
callers for the scenario's first call, each generated call runs on the scenario runner and is
judged by the built-in invariants plus the section's `always:` expectations; a failure is shrunk
and written out as an ordinary scenario (docs/explore.md).

    from aployee_sim.explore import explore_scenario
    result = explore_scenario("support.scenario.yaml", examples=200, seed=1)
    assert result.passed, result.report

Nothing is imported here eagerly: the scenario schema imports `jsonschema_subset` from this
package, and the runner must not be imported while the schema is still loading.
"""

from __future__ import annotations

from typing import Any

__all__ = ["explore_scenario", "ExploreResult", "ExploreFailed"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from aployee_sim.explore import session
        return getattr(session, name)
    raise AttributeError(f"module 'aployee_sim.explore' has no attribute {name!r}")
