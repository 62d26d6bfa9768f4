"""The lifecycle table of docs/contract.md §2."""

import pytest

from aployee_sim.contract.lifecycle import (
    STATUSES,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    can_reach,
    check_transition,
)


def test_table_is_exactly_the_contract():
    assert TRANSITIONS == {
        "initiated": {"ringing", "failed"},
        "ringing": {"in_progress", "failed"},
        "in_progress": {"completed", "failed", "transferred"},
        "completed": set(), "failed": set(), "transferred": set(),
    }
    assert TERMINAL == {"completed", "failed", "transferred"}
    assert set(STATUSES) == set(TRANSITIONS)


def test_illegal_change_names_from_to_and_allowed():
    with pytest.raises(IllegalTransition) as info:
        check_transition("initiated", "completed")
    assert str(info.value) == ("illegal status change initiated -> completed; allowed from initiated: "
                               "failed, ringing")
    with pytest.raises(IllegalTransition, match="none \\(terminal\\)"):
        check_transition("completed", "in_progress")


def test_no_status_reaches_back():
    order = {s: i for i, s in enumerate(["initiated", "ringing", "in_progress"])}
    for source, targets in TRANSITIONS.items():
        for target in targets:
            assert order.get(target, 99) > order.get(source, 99)
    assert can_reach("initiated", "transferred") and not can_reach("failed", "initiated")
