"""Organizations, phone numbers and their routing, as configuration: the dashboard's stand-in.

Production provisions numbers and assigns them in its dashboard (docs/contract.md §3), so the simulator
takes them as a mapping (read from a YAML file by `aployee_sim.config_file`) or through the Python API. A number is assigned to an
assistant (by id or by name, resolved when a call arrives, since assistants are created through
the API after the configuration is loaded) and/or to a routing rule set; rule sets and menus are
the shapes of `aployee_sim.core.routing`.

    organizations:
      - {id: org_acme, name: Acme}
    phone_numbers:
      - {number: "+15550100", organization: org_acme, assistant: Alex, routing: office}
    routing:
      office:
        timezone: America/New_York
        rules:
          - {days: mon-fri, from: "09:00", to: "17:00", menu: main}
        default: {assistant: Night desk}
    menus:
      main:
        prompt: Press 1 or say sales for sales. Press 2 or say support for support.
        options:
          - {digit: "1", words: [sales], assistant: Sales}
          - {digit: "2", words: [support], forward: "+15550199"}
    assistants:                 # created under these fixed ids, and again after every reset
      - {id: asst_xyz789, name: Alex, first_message: "Hi, this is Alex from Acme Corp..."}
    call_ids: [call_abc123]     # the ids of the first calls placed (documentation examples verbatim)

Every change is validated as a whole (cross references included) and applied all or nothing;
a mistake raises `DirectoryError` naming the source, the key path and what was wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from aployee_sim.contract.errors import is_e164
from aployee_sim.contract.models import Assistant, Organization, PhoneNumber
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.routing import ConfigModel, Destination, Menu, RuleSet, destinations

KeyPath = tuple[Any, ...]
_ASSISTANT_ID = re.compile(r"asst_[A-Za-z0-9_]{1,64}")
_CALL_ID = re.compile(r"call_[A-Za-z0-9_]{1,64}")


def is_assistant_id(value: Any) -> bool:
    """A fixed assistant id as the docs write them (`asst_xyz789`)."""
    return isinstance(value, str) and _ASSISTANT_ID.fullmatch(value) is not None


class DirectoryError(ValueError):
    """A configuration mistake: `source` (file or "<python>"), `path` (keys and indexes), message."""

    def __init__(self, source: str, path: KeyPath, message: str) -> None:
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path).replace(".[", "[")
        super().__init__(f"{source}: {where}: {message}" if where else f"{source}: {message}")
        self.source = source
        self.path = path
        self.message = message


class OrganizationConfig(ConfigModel):
    id: str | None = Field(default=None, pattern=r"^org_[a-z0-9_]+$")
    name: str = Field(min_length=1)


class NumberConfig(ConfigModel):
    """A provisioned number: its assistant, its routing rule set, or both."""

    number: str
    id: str | None = Field(default=None, pattern=r"^pn_[a-z0-9_]+$")
    organization: str | None = None
    assistant: str | None = None
    routing: str | None = None

    @field_validator("number", mode="before")
    @classmethod
    def _e164(cls, value: Any) -> str:
        if not is_e164(value):
            raise ValueError(f"must be an E.164 number like +15551234567 (quote it in YAML), got {value!r}")
        return value

    @model_validator(mode="after")
    def _assigned(self) -> NumberConfig:
        if self.assistant is None and self.routing is None:
            raise ValueError("assign the number to an assistant or a routing rule set (or both)")
        return self


class DirectoryConfig(ConfigModel):
    """The file's shape (every section optional)."""

    organizations: list[OrganizationConfig] = Field(default_factory=list)
    phone_numbers: list[NumberConfig] = Field(default_factory=list)
    routing: dict[str, RuleSet] = Field(default_factory=dict)
    menus: dict[str, Menu] = Field(default_factory=dict)
    # Assistant bodies (the API's fields) with a fixed `id`; the platform validates the fields.
    assistants: list[dict[str, Any]] = Field(default_factory=list)
    call_ids: list[str] = Field(default_factory=list)

    @field_validator("assistants")
    @classmethod
    def _assistant_ids(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for body in value:
            if not is_assistant_id(body.get("id")):
                raise ValueError(f"every assistant needs an id like asst_xyz789 (asst_ and letters, digits or _), "
                                 f"got {body.get('id')!r}")
        ids = [body["id"] for body in value]
        if len(ids) != len(set(ids)):
            raise ValueError("two assistants have the same id")
        return value

    @field_validator("call_ids")
    @classmethod
    def _call_ids(cls, value: list[str]) -> list[str]:
        for call_id in value:
            if _CALL_ID.fullmatch(call_id) is None:
                raise ValueError(f"a call id looks like call_abc123 (call_ and letters, digits or _), got {call_id!r}")
        if len(value) != len(set(value)):
            raise ValueError("a call id is given twice")
        return value


@dataclass(frozen=True, slots=True)
class OrganizationEntry:
    id: str
    name: str
    created_ms: int = 0       # configuration exists from the clock's start
    from_api: bool = False    # created by POST /v1/organizations: forgotten on reset


@dataclass(frozen=True, slots=True)
class NumberEntry:
    id: str
    number: str
    organization_id: str | None
    assistant: str | None     # an assistant id or name, resolved when a call arrives
    routing: str | None       # a rule set name


def derived_id(prefix: str, key: str) -> str:
    """A stable id for configuration without one: the same file gives the same ids under any seed."""
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


class Directory:
    """The simulator's configuration of organizations, numbers, rule sets and menus."""

    def __init__(self) -> None:
        self.organizations: dict[str, OrganizationEntry] = {}
        self.numbers: dict[str, NumberEntry] = {}
        self.rule_sets: dict[str, RuleSet] = {}
        self.menus: dict[str, Menu] = {}
        self.assistants: dict[str, dict[str, Any]] = {}   # fixed id → API body, kept on reset
        self.call_ids: list[str] = []
        # The platform's hook: validates and creates configured assistants (or raises DirectoryError).
        self.on_assistants: Callable[[str, dict[str, dict[str, Any]]], None] | None = None

    # --- loading -------------------------------------------------------------------------------
    def update(self, data: Any, *, source: str = "<python>") -> Directory:
        """Add organizations, numbers, rule sets and menus from a mapping shaped like the file."""
        if not isinstance(data, Mapping):
            raise DirectoryError(source, (), f"expected a mapping with organizations, phone_numbers, routing, "
                                             f"menus, assistants and call_ids, got {type(data).__name__}")
        try:
            config = DirectoryConfig.model_validate(dict(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            message = first["msg"].removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                message = f"unknown key {first['loc'][-1]!r}"
            raise DirectoryError(source, tuple(first["loc"]), message) from None
        organizations, numbers = dict(self.organizations), dict(self.numbers)
        rule_sets, menus = {**self.rule_sets, **config.routing}, {**self.menus, **config.menus}
        for org in config.organizations:
            org_id = org.id or derived_id("org", org.name)
            organizations[org_id] = OrganizationEntry(org_id, org.name)
        for index, item in enumerate(config.phone_numbers):
            if item.organization is not None and item.organization not in organizations:
                raise DirectoryError(source, ("phone_numbers", index, "organization"),
                                     f"unknown organization {item.organization!r}; known: "
                                     f"{', '.join(organizations) or 'none'}")
            if item.routing is not None and item.routing not in rule_sets:
                raise DirectoryError(source, ("phone_numbers", index, "routing"),
                                     f"unknown rule set {item.routing!r}; defined: {', '.join(rule_sets) or 'none'}")
            numbers[item.number] = NumberEntry(item.id or derived_id("pn", item.number), item.number,
                                               item.organization, item.assistant, item.routing)
        _check_menu_references(source, rule_sets, menus)
        for index, item in enumerate(config.phone_numbers):
            _check_has_assistant(source, index, numbers[item.number], rule_sets, menus)
        ids = [entry.id for entry in numbers.values()]
        if len(ids) != len(set(ids)):
            raise DirectoryError(source, ("phone_numbers",), "two numbers have the same id")
        configured = {body["id"]: {k: v for k, v in body.items() if k != "id"} for body in config.assistants}
        if configured and self.on_assistants is not None:
            self.on_assistants(source, configured)
        self.assistants = {**self.assistants, **configured}
        self.call_ids = config.call_ids or self.call_ids
        self.organizations, self.numbers, self.rule_sets, self.menus = organizations, numbers, rule_sets, menus
        return self

    # --- the Python API ------------------------------------------------------------------------
    def add_organization(self, name: str, *, id: str | None = None) -> OrganizationEntry:
        org = {"name": name} if id is None else {"name": name, "id": id}
        self.update({"organizations": [org]})
        return self.organizations[id or derived_id("org", name)]

    def add_number(self, number: str, *, assistant: str | None = None, routing: str | None = None,
                   organization: str | None = None, id: str | None = None) -> NumberEntry:
        """Provision `number` for an assistant (id or name) and/or a rule set added before."""
        item = {"number": number, "assistant": assistant, "routing": routing, "organization": organization, "id": id}
        self.update({"phone_numbers": [{k: v for k, v in item.items() if v is not None}]})
        return self.numbers[number]

    def add_rule_set(self, name: str, *, rules: Sequence[Any] = (), timezone: str = "UTC",
                     default: Any = None) -> RuleSet:
        """Time-based routing (see `aployee_sim.core.routing.Rule`); rules and default as dicts or models."""
        body = {"timezone": timezone, "rules": [_plain(r) for r in rules]}
        if default is not None:
            body["default"] = _plain(default)
        self.update({"routing": {name: body}})
        return self.rule_sets[name]

    def add_menu(self, name: str, *, prompt: str, options: list[Any], **settings: Any) -> Menu:
        """An IVR menu (see `aployee_sim.core.routing.Menu` for `attempts`, `timeout_seconds`, ...).

        Menus may name each other (nested, or "9 for the main menu"): add them in one `update`
        when they refer to each other, since each change must be complete on its own.
        """
        self.update({"menus": {name: {"prompt": prompt, "options": [_plain(o) for o in options], **settings}}})
        return self.menus[name]

    # --- questions -----------------------------------------------------------------------------
    def routing_config(self) -> dict[str, Any]:
        """The numbers, rule sets and menus in the file's shape (`update` reads it back): what an
        inbound call's routing depends on, for a store to keep beside the calls it routed."""
        numbers = [{k: v for k, v in (("number", n.number), ("assistant", n.assistant), ("routing", n.routing))
                    if v is not None} for n in self.numbers.values()]
        return {"phone_numbers": numbers, "routing": {k: _rule_set_config(v) for k, v in self.rule_sets.items()},
                "menus": {k: _plain(v) for k, v in self.menus.items()}}

    def number(self, number: str) -> NumberEntry | None:
        return self.numbers.get(number)

    def number_by_id(self, number_id: str) -> NumberEntry | None:
        return next((n for n in self.numbers.values() if n.id == number_id), None)

    def forget_api_created(self) -> None:
        self.organizations = {k: v for k, v in self.organizations.items() if not v.from_api}

    def reachable(self, entry: NumberEntry) -> list[Destination]:
        """Every destination a call to this number may end up at (rules, defaults, menus, failures)."""
        found: list[Destination] = []
        if entry.assistant is not None:
            found.append(Destination(assistant=entry.assistant))
        if entry.routing is not None:
            rule_set = self.rule_sets[entry.routing]
            roots = [r.target() for r in rule_set.rules] + ([rule_set.default] if rule_set.default else [])
            for root in roots:
                found.extend(d for d in destinations(root, self.menus) if d not in found)
        return found


def _plain(item: Any) -> Any:
    return item.model_dump(by_alias=True, exclude_none=True) if isinstance(item, ConfigModel) else item


def _rule_set_config(rule_set: RuleSet) -> dict[str, Any]:
    """A rule set as a file writes it: windows as local "HH:MM" times (the model keeps minutes)."""
    body: dict[str, Any] = _plain(rule_set)
    for rule in body["rules"]:
        for key in ("from", "to"):
            if key in rule:
                rule[key] = f"{rule[key] // 60:02d}:{rule[key] % 60:02d}"
    return body


def _check_has_assistant(source: str, index: int, entry: NumberEntry, rule_sets: Mapping[str, RuleSet],
                         menus: Mapping[str, Menu]) -> None:
    """A number without an assistant needs a default and some assistant its routing can reach:
    a call outside every window must go somewhere, and every call record names an assistant."""
    if entry.assistant is not None or entry.routing is None:  # (a number has one or the other, or both)
        return
    rule_set = rule_sets[entry.routing]
    if rule_set.default is None:
        raise DirectoryError(source, ("phone_numbers", index), f"the number {entry.number} has no assistant and "
                             f"rule set {entry.routing!r} has no default: calls outside every window would have "
                             f"nowhere to go")
    roots = [r.target() for r in rule_set.rules] + [rule_set.default]
    if not any(d.assistant for root in roots for d in destinations(root, menus)):
        raise DirectoryError(source, ("phone_numbers", index), f"the number {entry.number} has no assistant and "
                             f"its routing reaches none; assign one (every call record names an assistant)")


def _check_menu_references(source: str, rule_sets: Mapping[str, RuleSet], menus: Mapping[str, Menu]) -> None:
    def check(dest: Destination | None, path: KeyPath) -> None:
        if dest is not None and dest.menu is not None and dest.menu not in menus:
            raise DirectoryError(source, (*path, "menu"),
                                 f"unknown menu {dest.menu!r}; defined: {', '.join(menus) or 'none'}")

    for name, rule_set in rule_sets.items():
        for index, rule in enumerate(rule_set.rules):
            check(rule, ("routing", name, "rules", index))
        check(rule_set.default, ("routing", name, "default"))
    for name, menu in menus.items():
        for index, option in enumerate(menu.options):
            check(option, ("menus", name, "options", index))
        check(menu.on_failure, ("menus", name, "on_failure"))


def organization_resource(entry: OrganizationEntry, clock: VirtualClock) -> dict[str, Any]:
    return Organization(id=entry.id, name=entry.name, created_at=clock.iso_seconds(entry.created_ms)).dump()


def number_resource(entry: NumberEntry, assistants: Mapping[str, Assistant]) -> dict[str, Any]:
    """`assistant_id` is the assigned assistant's id (a name is resolved), or None when unassigned."""
    ref = entry.assistant
    assistant_id = None
    if ref is not None:
        named = [a.id for a in assistants.values() if a.name == ref]
        assistant_id = ref if ref in assistants or ref.startswith("asst_") else named[0] if len(named) == 1 else None
    return PhoneNumber(id=entry.id, number=entry.number, assistant_id=assistant_id,
                       organization_id=entry.organization_id).dump()
