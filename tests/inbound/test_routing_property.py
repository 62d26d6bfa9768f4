"""Property: for any instant, zone and rule set, routing picks exactly one destination, the one a
plain minute-of-week reference implementation picks."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from aployee_sim.core.routing import WEEKDAYS, Destination, RuleSet

ZONES = ["UTC", "America/New_York", "Europe/London", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata",
         "Asia/Kathmandu", "Pacific/Chatham", "America/Sao_Paulo", "America/St_Johns", "Pacific/Apia"]
WEEK = 7 * 1440

destinations = st.one_of(
    st.sampled_from(["Day", "Night", "Weekend"]).map(lambda name: {"assistant": name}),
    st.sampled_from(["main", "sub"]).map(lambda name: {"menu": name}),
    st.sampled_from(["+15550199", "+442079460000"]).map(lambda number: {"forward": number}),
)
windows = st.one_of(
    st.just({}),
    st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda w: w[0] != w[1]).map(
        lambda w: {"from": f"{w[0] // 60:02d}:{w[0] % 60:02d}", "to": f"{w[1] // 60:02d}:{w[1] % 60:02d}"}),
)
rules = st.builds(lambda days, window, dest: {"days": sorted(days), **window, **dest},
                  st.sets(st.sampled_from(WEEKDAYS), min_size=1), windows, destinations)
rule_sets = st.fixed_dictionaries({"timezone": st.sampled_from(ZONES), "rules": st.lists(rules, max_size=5)},
                                  optional={"default": destinations})
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


def minutes(text):
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def reference(rule_set, instant, fallback):
    """The first rule whose [start, end) minute-of-week interval holds the local wall time."""
    local = instant.astimezone(ZoneInfo(rule_set["timezone"]))
    now = local.weekday() * 1440 + local.hour * 60 + local.minute
    for index, rule in enumerate(rule_set["rules"]):
        for day in rule["days"]:
            start = WEEKDAYS.index(day) * 1440 + (minutes(rule["from"]) if "from" in rule else 0)
            end = WEEKDAYS.index(day) * 1440 + (minutes(rule["to"]) if "to" in rule else 1440)
            if end <= start:
                end += 1440  # overnight: into the next day (Sunday night wraps to Monday)
            if start <= now < end or start <= now + WEEK < end:
                return index, {k: v for k, v in rule.items() if k in ("assistant", "menu", "forward")}
    return None, rule_set.get("default", fallback)


@settings(max_examples=300, deadline=None)
@given(rule_set=rule_sets, instant=instants)
def test_routing_picks_exactly_one_destination_and_agrees_with_the_reference(rule_set, instant):
    fallback = {"assistant": "Number's own"}
    index, chosen = RuleSet.model_validate(rule_set).select(instant)
    chosen = chosen or Destination(**fallback)
    picked = chosen.model_dump(exclude_none=True)
    assert len(picked) == 1
    assert (index, picked) == reference(rule_set, instant, fallback)
