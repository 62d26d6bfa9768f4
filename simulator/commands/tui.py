"""`aployee-sim tui`: the terminal UI over an in-process playground, a store file or a running server.

    aployee-sim tui                              # playground: the demo call, role-play in-process
    aployee-sim tui --db calls.sqlite3           # inspect a store file (read-only, live)
    aployee-sim tui --url http://127.0.0.1:8765 --key KEY   # inspect a server, role-play its calls

Every mistake (a missing file, an unreachable server, a bad key) is reported in one line before
the UI starts; nothing here prints a traceback.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import (
    output_folder,
    positive_number,
    seed_number,
    writable_file,
)

DEFAULT_KEY_ENV = "APLOYEE_KEY"
ROLEPLAY_TIMEOUT_S = 15.0
"""Role-play over `--url`: what the caller says or presses waits on the server while a webhook answer
that is due is awaited (at most its 10 s deadline, docs/server.md "Webhooks in flight")."""


def build_app(args: argparse.Namespace):
    """The app for these arguments; `UsageError` for anything the user must fix first."""
    from aployee_sim.tui.app import AployeeTui
    from aployee_sim.tui.sources import SourceError

    common = {"export_dir": Path(args.export_dir), "poll_seconds": args.poll, "start_roleplay": args.roleplay,
              "attach": args.attach, "voice": _voice_opener(args), "voice_muted": args.mute}
    try:
        if args.url:
            from aployee_sim.tui.roleplay import RemoteRolePlay
            from aployee_sim.tui.sources.http_source import ApiClient, HttpSource

            key = args.key or os.environ.get(DEFAULT_KEY_ENV)
            if not key:
                raise UsageError(f"--url needs the server's API key: pass --key KEY or set {DEFAULT_KEY_ENV}")
            source = HttpSource(ApiClient(args.url, key))
            roleplay = RemoteRolePlay(ApiClient(args.url, key, timeout=ROLEPLAY_TIMEOUT_S))
            return AployeeTui(source, roleplay=roleplay, threaded=True, tick_seconds=0.5, **common)
        if args.db:
            from aployee_sim.tui.sources.store_source import StoreSource

            return AployeeTui(StoreSource(Path(args.db)), threaded=True, **common)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    from aployee_sim.tui.playground import playground
    from aployee_sim.tui.roleplay import LocalRolePlay
    from aployee_sim.tui.sources.platform_source import PlatformSource

    sim = playground(seed=args.seed, silence_timeout_s=args.silence_timeout)
    after_run = None
    if args.record:
        after_run = _recorder(sim, Path(args.record))
    return AployeeTui(PlatformSource(sim, label=f"playground (seed {args.seed})"),
                      roleplay=LocalRolePlay(sim, speed=args.speed, after_run=after_run), **common)


def _voice_opener(args: argparse.Namespace):
    """Role-play's voice mode, opened on the first ctrl+r (a missing piece then shows its fix in the UI).

    Synthesis runs in a child process: the in-process mode briefly redirects the terminal, which
    would swallow a screen redraw."""
    from aployee_sim.adapters.speech.live import open_voice_kit

    return lambda: open_voice_kit(model_dir=args.vosk_model, lang=args.vosk_lang, device=args.device,
                                  output_device=args.output_device, voice=args.voice, muted=args.mute,
                                  isolation="process")


def _recorder(sim, path: Path):
    """Write the playground's calls (role-play sessions included) to a store file as they happen."""
    from aployee_sim.adapters.store import Store, StoreError, StoreWriter

    try:
        writer = StoreWriter(Store(path)).attach(sim)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    return writer.flush


def run(args: argparse.Namespace) -> int:
    if args.db and args.url:
        raise UsageError("pass either --db FILE or --url BASE_URL, not both")
    if args.record and (args.db or args.url):
        raise UsageError("--record is for the playground: a server stores its calls itself (serve --db)")
    if args.attach and not args.url:
        raise UsageError("--attach needs --url: it attaches to a call placed through a running server")
    app = build_app(args)
    try:
        app.run()
    finally:
        app.source.close()
        if app.roleplay is not None:
            app.roleplay.close()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tui", help="inspect calls turn by turn and role-play a caller (terminal UI)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_argument_group("where the calls come from (default: an in-process playground)")
    where.add_argument("--db", metavar="FILE", help="a store file written by the simulator (read-only)")
    where.add_argument("--url", metavar="BASE_URL", help="a running `aployee-sim serve`, e.g. http://127.0.0.1:8765")
    where.add_argument("--key", metavar="KEY", help=f"the server's API key (default: ${DEFAULT_KEY_ENV})")
    play = parser.add_argument_group("role-play")
    play.add_argument("--roleplay", action="store_true", help="open the role-play set-up at start")
    play.add_argument("--attach", metavar="CALL_ID", help="be the far end of this live call (needs --url)")
    play.add_argument("--speed", type=positive_number, default=1.0,
                      help="virtual seconds per wall second in playground role-play (default 1: real time)")
    play.add_argument("--silence-timeout", type=positive_number, default=60.0, metavar="SECONDS",
                      help="playground: end a call after this much caller silence (default 60, "
                           "production-like is 15; typing takes longer than talking)")
    play.add_argument("--record", metavar="FILE", type=writable_file,
                      help="playground: also write every call, role-play sessions included, to this store file "
                           "(open it later with --db FILE)")
    play.add_argument("--seed", type=seed_number, default=7, help="playground: seed of the random source (default 7)")
    voice = parser.add_argument_group("role-play voice mode (ctrl+r talk, ctrl+n mute; see docs/voice.md)")
    voice.add_argument("--vosk-model", metavar="DIR", help="vosk model directory (default $APLOYEE_SIM_VOSK_MODEL)")
    voice.add_argument("--vosk-lang", metavar="CODE", help="language code: vosk finds or downloads a small model")
    voice.add_argument("--device", help="microphone (name or number, see `python -m sounddevice`)")
    voice.add_argument("--output-device", help="speaker for the replies (name or number)")
    voice.add_argument("--voice", help="eSpeak voice for the replies (e.g. en-us)")
    voice.add_argument("--mute", action="store_true", help="start with spoken replies muted")
    parser.add_argument("--export-dir", default=".", metavar="DIR", type=output_folder, help="where exports are written (default .)")
    parser.add_argument("--poll", type=positive_number, default=1.0, metavar="SECONDS",
                        help="how often live data is re-read (default 1)")
    parser.set_defaults(run=run)
