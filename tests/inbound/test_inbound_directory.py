"""The dashboard stand-in: organizations, numbers, rule sets and menus from YAML or Python."""

import pytest

from aployee_sim.api import Simulator
from aployee_sim.config_file import load_config
from aployee_sim.contract.errors import ApiError
from aployee_sim.platform.directory import Directory, DirectoryError

GOOD = """
organizations:
  - {id: org_acme, name: Acme}
  - {name: Globex}
phone_numbers:
  - {number: "+15550100", organization: org_acme, assistant: Alex, routing: office}
  - {number: "+15550101", assistant: Alex}
routing:
  office:
    timezone: America/New_York
    rules:
      - {days: mon-fri, from: "09:00", to: 17:00, menu: main}
    default: {assistant: Alex}
menus:
  main:
    prompt: Press 1.
    options:
      - {digit: 1, assistant: Alex}
"""


def write(tmp_path, text, name="numbers.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_yaml_file_provisions_numbers_routing_and_menus(tmp_path):
    directory = load_config(Directory(), write(tmp_path, GOOD))
    assert set(directory.numbers) == {"+15550100", "+15550101"}
    assert directory.numbers["+15550100"].organization_id == "org_acme"
    assert directory.rule_sets["office"].rules[0].to == 17 * 60  # YAML's unquoted 17:00 is 1020 minutes
    assert directory.rule_sets["office"].rules[0].days == ["mon", "tue", "wed", "thu", "fri"]
    assert directory.menus["main"].options[0].digit == "1"
    globex = next(o for o in directory.organizations.values() if o.name == "Globex")
    assert globex.id.startswith("org_") and load_config(Directory(), write(tmp_path, GOOD)).organizations[globex.id]


@pytest.mark.parametrize("text, where, what", [
    ("phone_numbers: [{number: 15550100, assistant: A}]", "phone_numbers[0].number", "must be an E.164 number"),
    ("phone_numbers: [{number: '+15550100'}]", "phone_numbers[0]", "assign the number to an assistant"),
    ("phone_numbers: [{number: '+15550100', assistant: A, routing: nope}]", "phone_numbers[0].routing",
     "unknown rule set 'nope'"),
    ("phone_numbers: [{number: '+15550100', assistant: A, colour: red}]", "phone_numbers[0].colour",
     "unknown key 'colour'"),
    ("routing: {r: {timezone: Mars/Olympus}}", "routing.r.timezone", "unknown time zone 'Mars/Olympus'"),
    ("routing: {r: {rules: [{days: [funday], assistant: A}]}}", "routing.r.rules[0].days", "unknown weekday 'funday'"),
    ("routing: {r: {rules: [{from: '09:00', assistant: A}]}}", "routing.r.rules[0]", "give both from and to"),
    ("routing: {r: {rules: [{from: '9am', to: '17:00', assistant: A}]}}", "routing.r.rules[0].from",
     "expected a local time"),
    ("routing: {r: {rules: [{assistant: A, forward: '+15550199'}]}}", "routing.r.rules[0]",
     "exactly one destination"),
    ("routing: {r: {rules: [{menu: ghost}]}}", "routing.r.rules[0].menu", "unknown menu 'ghost'"),
    ("menus: {m: {prompt: Hi, options: [{digit: 12, assistant: A}]}}", "menus.m.options[0].digit", "one key"),
    ("menus: {m: {prompt: Hi, options: [{assistant: A}]}}", "menus.m.options[0]", "needs a digit or words"),
    ("menus: {m: {prompt: Hi, options: [{digit: 1, assistant: A}, {digit: '1', assistant: B}]}}", "menus.m.options",
     "digit '1' is used by two options"),
    ("menus: {m: {prompt: Hi, options: [{digit: 1, forward: '555'}]}}", "menus.m.options[0]", "E.164"),
    ("routing: {r: {rules: [{menu: m}]}}\nmenus: {m: {prompt: Hi, options: [{digit: 1, forward: '+15550199'}]}}\n"
     "phone_numbers: [{number: '+15550100', routing: r}]", "phone_numbers[0]", "has no default"),
    ("routing: {r: {default: {forward: '+15550199'}}}\nphone_numbers: [{number: '+15550100', routing: r}]",
     "phone_numbers[0]", "reaches none"),
    ("- just a list", "", "expected a mapping"),
    ("phone_numbers: [{number: '+1555", "", "not valid YAML at line 1"),
])
def test_mistakes_name_the_file_the_key_path_and_the_problem(tmp_path, text, where, what):
    with pytest.raises(DirectoryError) as caught:
        load_config(Directory(), write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "numbers.yaml") + ": ")
    assert f": {where}: " in message if where else True
    assert what in message


def test_numbers_are_read_as_written_and_an_alias_bomb_is_refused_at_its_line(tmp_path):
    """The file is read with the scenario reader's caps: `+15550100` unquoted is the number itself
    (plain YAML would make it the integer 15550100), and a billion-laughs file is one clear error."""
    directory = load_config(Directory(), write(tmp_path, "phone_numbers: [{number: +15550100, assistant: A}]"))
    assert set(directory.numbers) == {"+15550100"}
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    with pytest.raises(DirectoryError, match=r"numbers\.yaml: line \d+, column \d+: .*alias bomb"):
        load_config(Directory(), write(tmp_path, bomb))


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read the file"):
        load_config(Directory(), tmp_path / "absent.yaml")


def test_a_bad_change_is_not_applied_at_all():
    directory = Directory()
    directory.add_number("+15550100", assistant="A")
    with pytest.raises(DirectoryError):
        directory.update({"phone_numbers": [{"number": "+15550101", "assistant": "B"},
                                            {"number": "+15550102", "routing": "missing"}]})
    assert set(directory.numbers) == {"+15550100"}


def test_the_python_api_builds_the_same_configuration():
    directory = Directory()
    org = directory.add_organization("Acme", id="org_acme")
    directory.add_menu("main", prompt="Press 1.", options=[{"digit": "1", "assistant": "A"}], attempts=2)
    rules = directory.add_rule_set("office", timezone="Europe/Paris",
                                   rules=[{"days": ["sat", "sun"], "menu": "main"}], default={"assistant": "A"})
    number = directory.add_number("+33155500100", assistant="A", routing="office", organization=org.id)
    assert (number.organization_id, number.routing, rules.timezone) == ("org_acme", "office", "Europe/Paris")
    assert directory.menus["main"].attempts == 2
    with pytest.raises(DirectoryError, match=r"<python>: routing\.bad\.timezone: unknown time zone"):
        directory.add_rule_set("bad", timezone="Nowhere/Land")


def test_organization_and_phone_number_resources_have_exactly_the_model_fields(tmp_path):
    with Simulator(seed=3, directory=write(tmp_path, GOOD)) as sim:
        alex = sim.create_assistant(name="Alex")
        numbers = sim.list_phone_numbers()
        assert numbers["total"] == 2 and numbers["has_more"] is False
        first = numbers["data"][0]
        assert set(first) == {"id", "number", "assistant_id", "organization_id"}
        assert first["assistant_id"] == alex["id"]  # configured by name, shown by id
        assert sim.get_phone_number(first["id"]) == first
        assert sim.list_phone_numbers(limit=1, offset=1)["data"][0]["number"] == "+15550101"
        org = sim.get_organization("org_acme")
        assert org == {"id": "org_acme", "name": "Acme", "created_at": "2024-01-15T10:30:00Z"}
        with pytest.raises(ApiError) as caught:
            sim.get_phone_number("pn_nope")
        assert caught.value.status == 404
        with pytest.raises(ApiError) as caught:
            sim.list_organizations(limit=0)
        assert caught.value.details == {"field": "limit"}


def test_created_organizations_are_forgotten_on_reset_but_configured_ones_stay(tmp_path):
    with Simulator(seed=3, directory=write(tmp_path, GOOD)) as sim:
        created = sim.create_organization({"name": "Initech"})
        assert created["id"].startswith("org_") and set(created) == {"id", "name", "created_at"}
        assert sim.list_organizations()["total"] == 3
        sim.reset()
        assert sim.list_organizations()["total"] == 2 and sim.directory.number("+15550100") is not None
        with pytest.raises(ApiError) as caught:
            sim.create_organization({"name": ""})
        assert (caught.value.status, caught.value.details) == (400, {"field": "name"})
