"""The in-flight limit reaches the simulator from every front end that accepts it."""

from __future__ import annotations

import subprocess
import sys

pytest_plugins = ["pytester"]


def test_the_pytest_fixtures_take_it_from_ini_and_marker(pytester):
    pytester.makeini("[pytest]\naployee_webhook_in_flight = 5\n")
    pytester.makepyfile("""
        import pytest

        def test_ini(aployee_sim):
            assert aployee_sim._http.in_flight == 5

        @pytest.mark.aployee(webhook_in_flight=1)
        def test_marker(aployee_sim):
            assert aployee_sim._http.sequential

        @pytest.mark.aployee(webhook_in_flight=0)
        def test_out_of_range(aployee_sim):
            pass
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*aployee webhook_in_flight must be an integer from 1 to 10000, got 0*"])


def test_serve_refuses_an_out_of_range_limit_in_one_line():
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "serve", "--webhook-in-flight", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "aployee-sim: error: argument --webhook-in-flight: expected a number of requests from 1 to 10000, got 0"]
