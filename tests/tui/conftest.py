"""Shared fixtures of the TUI tests: the playground, apps over it, a hand-driven pacer."""

from __future__ import annotations

import pytest
from tui_helpers import ManualPacer

from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.playground import playground
from aployee_sim.tui.roleplay import LocalRolePlay
from aployee_sim.tui.sources.platform_source import PlatformSource


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def sim():
    with playground(seed=7) as simulator:
        yield simulator


@pytest.fixture
def pacer(sim):
    return ManualPacer(sim.now_ms)


@pytest.fixture
def make_app(sim, pacer, tmp_path):
    def make(**options) -> AployeeTui:
        options.setdefault("poll_seconds", None)
        options.setdefault("export_dir", tmp_path)
        return AployeeTui(PlatformSource(sim, label="playground"),
                          roleplay=LocalRolePlay(sim, pacer=pacer), **options)
    return make
