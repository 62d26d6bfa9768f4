"""Organizations and phone numbers (CONTRACT §3), loaded from the server's configuration file.

Numbers are provisioned in production's dashboard, so here they come from `--config`:

    organization: {id: org_acme, name: Acme Corp}     # optional; a seeded id otherwise
    phone_numbers:
      - {number: "+15550100000", assistant_id: asst_x}  # id optional (seeded `pn_…`)

Other top-level keys belong to other parts of the simulator and are left alone. This is the
minimal loader the server needs until a shared directory module owns number configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simulator.clock import VirtualClock
from simulator.errors import invalid, is_e164, not_found
from simulator.models import Organization, PhoneNumber
from simulator.randomness import SeededRandom


class ConfigError(ValueError):
    """A configuration file mistake: names the file, the key and what was found."""


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML configuration file (safe loader); an empty file is an empty configuration."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping, found {type(data).__name__}")
    return data


class Accounts:
    """The key's organization, organizations created through the API, and configured numbers."""

    def __init__(self, config: dict[str, Any] | None, *, seed: int, clock: VirtualClock,
                 source: str = "configuration") -> None:
        config = config or {}
        self.seed = seed
        self.clock = clock
        self._rng = SeededRandom(f"accounts:{seed}")  # type: ignore[arg-type]  # str seeds are deterministic
        org = config.get("organization") or {}
        if not isinstance(org, dict):
            raise ConfigError(f"{source}: 'organization' must be a mapping with id and name, found {org!r}")
        self.organization = self._configured(Organization, source, "organization", {
            "id": org.get("id") or self._rng.make_id("org"), "name": org.get("name") or "Simulator",
            "created_at": clock.iso_seconds(0)})
        self.numbers: dict[str, dict[str, Any]] = {}
        numbers = config.get("phone_numbers") or []
        if not isinstance(numbers, list):
            raise ConfigError(f"{source}: 'phone_numbers' must be a list, found {type(numbers).__name__}")
        for index, entry in enumerate(numbers):
            where = f"phone_numbers[{index}]"
            if not isinstance(entry, dict) or not is_e164(entry.get("number")):
                raise ConfigError(f"{source}: {where}: needs 'number', an E.164 phone number like "
                                  f"+15550100000, found {entry!r}")
            values = {"id": self._rng.make_id("pn"), "organization_id": self.organization["id"], **entry}
            number = self._configured(PhoneNumber, source, where, values)
            self.numbers[number["id"]] = number
        self.reset()

    @staticmethod
    def _configured(model: Any, source: str, where: str, values: dict[str, Any]) -> dict[str, Any]:
        try:
            return model.model_validate(values).dump()
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{source}: {where}.{key}: {first['msg']}") from None

    def reset(self) -> None:
        """Forget organizations created through the API; keep the configured ones."""
        self.organizations: dict[str, dict[str, Any]] = {self.organization["id"]: self.organization}
        self._api_rng = SeededRandom(f"accounts:{self.seed}:api")  # type: ignore[arg-type]

    @property
    def org_id(self) -> str:
        return self.organization["id"]

    def create_organization(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise invalid("body", "The request body must be a JSON object")
        name = body.get("name")
        if name in (None, ""):
            raise invalid("name", "The name field is required")
        if not isinstance(name, str):
            raise invalid("name", f"The name field must be a string, got {name!r}")
        org = Organization(id=self._api_rng.make_id("org"), name=name,
                           created_at=self.clock.iso_seconds(self.clock.now_ms)).dump()
        self.organizations[org["id"]] = org
        return org

    def get_organization(self, org_id: str) -> dict[str, Any]:
        try:
            return self.organizations[org_id]
        except KeyError:
            raise not_found("Organization", org_id) from None

    def get_number(self, number_id: str) -> dict[str, Any]:
        try:
            return self.numbers[number_id]
        except KeyError:
            raise not_found("Phone number", number_id) from None
