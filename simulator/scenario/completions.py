"""A scenario's access to language models: which model answers, and the cassette in front of it.

`Completions` is built per scenario run (only for a scenario with persona callers or judges). Each asker
(`calls[0] persona`, `calls[0] judge 1`) gets a `core.chat.Completer` that turns messages into the
documented request, looks it up in the cassette and, by the record mode, replays it, asks the model
and records the answer, or refuses:

- `none` (the default when $CI is set): answers come only from the cassette; a request not in it is a
  `ModelError` naming where its dialogue first left the recorded one;
- `new` (the default otherwise): recorded answers are replayed, new requests go to the model;
- `all`: every request goes to the model and the cassette is recorded again.

After the run (`save`), `all` leaves exactly the run's interactions in the cassette, in order; `new`
appends what the model answered to what was recorded (as VCR.py's new episodes), and writes nothing
when the model answered nothing, so a run that could not reach the model never loses a recording. Which model: each key of the asker's `model:` mapping, else the scenario's,
else the environment ($APLOYEE_SIM_MODEL_URL, $APLOYEE_SIM_MODEL, $APLOYEE_SIM_MODEL_API_KEY_ENV),
else the `model:` mapping of `aployee-sim.yaml` in the working directory. The model name and sampling
parameters are part of the request (a replay needs them); the URL and key are only needed to ask.
`LiveModel` resolves and asks the same way with no cassette, for the TUI playground's persona caller.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aployee_sim.core.chat import Completer, Message, ModelError
from aployee_sim.scenario.cassette import Cassette, Interaction, cassette_path, request_key
from aployee_sim.scenario.loader import LoadedScenario
from aployee_sim.scenario.schema import ModelSpec

RECORD_MODES = ("new", "none", "all")
ENV_URL, ENV_MODEL, ENV_KEY = "APLOYEE_SIM_MODEL_URL", "APLOYEE_SIM_MODEL", "APLOYEE_SIM_MODEL_API_KEY_ENV"
CONFIG_FILE = "aployee-sim.yaml"
DEFAULT_TEMPERATURE = 0.0


def default_record_mode(environ: Mapping[str, str] = os.environ) -> str:
    """`none` in CI (as VCR.py and pytest-recording do: CI never calls a model), `new` otherwise."""
    return "none" if environ.get("CI") else "new"


def uses_models(loaded: LoadedScenario) -> bool:
    return any(step.persona is not None for call in loaded.model.calls for step in call.caller) or any(
        call.expect.judge for call in loaded.model.calls)


def _configured(environ: Mapping[str, str], config: Path) -> list[ModelSpec]:
    """The defaults under the scenario's: the environment, then the configuration file."""
    variables = {"base_url": ENV_URL, "model": ENV_MODEL, "api_key_env": ENV_KEY}
    try:
        from_env = ModelSpec.model_validate({k: environ[v] for k, v in variables.items() if environ.get(v)})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ModelError(f"${variables[str(first['loc'][0])]}: {first['msg']}") from None
    if not config.is_file():
        return [from_env]
    from aployee_sim.config_file import read_config
    from aployee_sim.platform.directory import DirectoryError
    try:
        data = read_config(config)
        section = data.get("model") if isinstance(data, dict) else None
        return [from_env, ModelSpec.model_validate(section or {})]
    except DirectoryError as exc:
        raise ModelError(f"{config}: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ModelError(f"{config}: model.{where}: {first['msg']}") from None


class ModelAccess:
    """Which model answers an asker, the request it is sent, and the client that sends it: what a
    scenario's `Completions` and the playground's `LiveModel` share (the cassette is the former's)."""

    SPEC_HINT = "give `model: {model: NAME, base_url: URL}` in the scenario, or "  # where a scenario sets it

    def __init__(self, *, environ: Mapping[str, str] = os.environ, config: Path = Path(CONFIG_FILE),
                 deadline_s: float | None = None) -> None:
        self.environ, self.config, self.deadline_s = environ, config, deadline_s
        self._client: Any = None
        self._defaults: list[ModelSpec] | None = None

    def _layers(self) -> list[ModelSpec]:
        if self._defaults is None:
            self._defaults = _configured(self.environ, self.config)
        return self._defaults

    def _request(self, asker: str, layers: list[ModelSpec], messages: list[Message]) -> dict[str, Any]:
        """The documented request body: model, temperature, seed when set, messages."""
        model = _pick(layers, "model")
        if model is None:
            raise ModelError(f"no model configured for {asker}: {self.SPEC_HINT}set ${ENV_MODEL} and ${ENV_URL}, "
                             f"or `model:` in ./{CONFIG_FILE}")
        request: dict[str, Any] = {"model": model, "temperature": _pick(layers, "temperature", DEFAULT_TEMPERATURE)}
        seed = _pick(layers, "seed")
        if seed is not None:
            request["seed"] = seed
        request["messages"] = [dict(m) for m in messages]
        return request

    def _no_url(self, asker: str) -> str:
        return f"no model URL configured for {asker}: set ${ENV_URL}, or `model: {{base_url: URL}}` in ./{CONFIG_FILE}"

    def _endpoint(self, asker: str, layers: list[ModelSpec]) -> Any:
        """Where the request goes (an `adapters.chat_model.Endpoint`), or `ModelError` naming what is missing."""
        from aployee_sim.adapters.chat_model import Endpoint
        base_url = _pick(layers, "base_url")
        if base_url is None:
            raise ModelError(self._no_url(asker))
        key_env = _pick(layers, "api_key_env")
        api_key = self.environ.get(key_env) if key_env else None
        if key_env and not api_key:
            raise ModelError(f"{asker}: the API key variable ${key_env} (api_key_env) is not set")
        return Endpoint(base_url, api_key)

    def _ask(self, asker: str, layers: list[ModelSpec], request: dict[str, Any]) -> str:
        from aployee_sim.adapters.chat_model import DEFAULT_DEADLINE_S, ChatModel
        endpoint = self._endpoint(asker, layers)
        if self._client is None:
            self._client = ChatModel(self.deadline_s or DEFAULT_DEADLINE_S)
        answer: str = self._client.complete(endpoint, request)
        return answer

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class LiveModel(ModelAccess):
    """Answers asked of the model every time, with no cassette: the TUI playground's persona caller,
    watched live (nothing to replay). The model comes from the environment or ./aployee-sim.yaml."""

    SPEC_HINT = ""

    def check(self, asker: str) -> None:
        """`ModelError` now, before a call is placed, when no model name or URL is configured."""
        layers = self._layers()
        self._request(asker, layers, [])
        self._endpoint(asker, layers)

    def completer(self, asker: str) -> Completer:
        def complete(messages: list[Message]) -> str:
            layers = self._layers()
            return self._ask(asker, layers, self._request(asker, layers, messages))
        return complete


class Completions(ModelAccess):
    """The cassette and the model client of one scenario run (see the module's docstring)."""

    def __init__(self, loaded: LoadedScenario, mode: str, *, environ: Mapping[str, str] = os.environ,
                 config: Path = Path(CONFIG_FILE), deadline_s: float | None = None) -> None:
        if mode not in RECORD_MODES:
            raise ValueError(f"record mode must be one of {', '.join(RECORD_MODES)}, got {mode!r}")
        super().__init__(environ=environ, config=config, deadline_s=deadline_s)
        self.loaded, self.mode = loaded, mode
        self.cassette = Cassette.load(cassette_path(loaded.path), loaded.name)  # CassetteError: the runner reports it
        self.used: list[Interaction] = []  # every answer the run was given, in order
        self.fresh: list[Interaction] = []  # of those, the ones the model gave
        self.missed: set[str] = set()  # askers with a request the cassette did not hold (mode none)
        self._asked: Counter[str] = Counter()

    def completer(self, asker: str, *specs: ModelSpec | None) -> Completer:
        """The completer for one asker; `specs` from the most specific (the step's) to the scenario's."""
        chosen = [s for s in specs if s is not None]

        def complete(messages: list[Message]) -> str:
            return self._complete(asker, chosen, messages)
        return complete

    def _complete(self, asker: str, specs: list[ModelSpec], messages: list[Message]) -> str:
        layers = specs + self._layers()
        request = self._request(asker, layers, messages)
        key = request_key(request)
        occurrence = self._asked[key]
        self._asked[key] += 1
        answer = self.cassette.answer(request, occurrence) if self.mode != "all" else None
        if answer is None:
            if self.mode == "none":
                self.missed.add(asker)
                raise ModelError(f"not in the cassette (--record none): {self.cassette.miss(asker, request)}")
            answer = self._ask(asker, layers, request)
            self.fresh.append(Interaction(asker, request, answer))
        self.used.append(Interaction(asker, request, answer))
        return answer

    def _no_url(self, asker: str) -> str:
        return (f"{asker} needs an answer the cassette does not hold and no model URL is configured: give "
                f"`model: {{base_url: URL}}` in the scenario, or set ${ENV_URL}, or `model:` in ./{CONFIG_FILE}")

    def save(self) -> bool:
        """Write the cassette: under `all` exactly the run's interactions; under `new` the recorded
        ones followed by what the model answered this time (only when it answered something), so a run
        that could not reach the model, or asked less than before, never loses a recording."""
        if self.mode == "all":
            return bool(self.used) and self.cassette.save(self.used)
        if self.mode == "new" and self.fresh:
            return self.cassette.save(self.cassette.interactions + self.fresh)
        return False



def _pick(layers: list[ModelSpec], name: str, default: Any = None) -> Any:
    return next((getattr(s, name) for s in layers if getattr(s, name) is not None), default)
