"""`aployee-sim call --mic`: talk to an assistant through the microphone and hear it answer.

The call runs in-process on a realtime clock (`WallPacer`): the engine is advanced to the wall
clock's virtual time in a bounded loop, and between runs the microphone caller's queue is drained
on this (the engine's) thread. The assistant is the built-in brain (a small support desk, plus any
`--intent KEYWORD=REPLY`) or your own reasoning webhook (`--webhook-url`). `--input-wav FILE` feeds
a WAV file instead of the microphone: each utterance in it is said at the caller's next turn, and
the caller hangs up once the file is used up. The transcript is printed as it happens; partial
recognition goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import positive_number, readable_file, seed_number
from aployee_sim.terminal_text import printable

DEFAULT_TO = "+15551234567"
TICK_SECONDS = 0.02
SUPPORT_INTENTS = [
    {"keywords": ["order", "package"], "update": {"intent": "order_status"},
     "reply": "Your order shipped yesterday and arrives on Friday."},
    {"keywords": ["refund"], "update": {"intent": "refund"}, "reply": "I've started a refund; you'll get an email today."},
    {"keywords": ["bye", "thanks", "thank you"], "reply": "You're welcome, goodbye!"},
]


def parse_intent(text: str) -> dict[str, Any]:
    keyword, sep, reply = text.partition("=")
    if not sep or not keyword.strip() or not reply.strip():
        raise UsageError(f"--intent expects KEYWORD=REPLY (e.g. --intent 'refund=I have started a refund'), "
                         f"got {text!r}")
    return {"keywords": [keyword.strip()], "reply": reply.strip()}


def create_assistant(sim: Any, args: argparse.Namespace) -> str:
    """The built-in support desk (the user's intents first), or the user's webhook."""
    fields: dict[str, Any] = {"name": "Voice", "first_message": args.first_message, "end_call_phrases": ["goodbye"]}
    if args.webhook_url:
        fields.update(reasoning_mode="webhook", webhook_url=args.webhook_url)
        return sim.create_assistant(**fields)["id"]
    intents = [parse_intent(i) for i in args.intent] + SUPPORT_INTENTS
    return sim.create_assistant(**fields, intents=intents, fallback_reply="Could you tell me a bit more?")["id"]


class Console:
    """Our own handles on the terminal's stdout and stderr (duplicated file descriptors).

    The reply synthesiser briefly redirects file descriptors 1 and 2 process-wide to keep
    pyttsx3's chatter off the screen; a transcript line printed from this thread in that moment
    would vanish. Writing through duplicates of the original descriptors is immune to that.
    """

    def __init__(self) -> None:
        self._out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
        self._err = os.fdopen(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", buffering=1)

    def out(self, line: str) -> None:
        self._out.write(printable(line) + "\n")
        self._out.flush()

    def err(self, line: str) -> None:
        self._err.write(printable(line) + "\n")
        self._err.flush()

    def close(self) -> None:
        self._out.close()
        self._err.close()


def open_voice(args: argparse.Namespace, console: Console) -> Any:
    """The microphone caller for these options; raises `VoiceUnavailable` naming the fix."""
    from aployee_sim.adapters.speech.live import open_voice_kit
    from aployee_sim.adapters.speech.recognizer import import_vosk
    from aployee_sim.fakes.microphone import MicrophoneCaller

    import_vosk()  # the missing package is the first thing to say, before any model question
    try:
        kit = open_voice_kit(model_dir=args.vosk_model, lang=args.vosk_lang, phrases=args.phrases,
                             device=args.device, input_wav=args.input_wav, output_device=args.output_device,
                             voice=args.voice, muted=args.mute)
    except ValueError as exc:  # a phrase the model does not know, a file that is not a WAV
        raise UsageError(f"--phrases: {exc}" if "vocabulary" in str(exc) else f"--input-wav: {exc}") from None
    return MicrophoneCaller(
        kit.source, kit.recognizer, push_to_talk=args.push_to_talk and not args.input_wav,
        synthesizer=kit.synthesizer, sink=kit.sink,
        hold_until_turn=bool(args.input_wav), hang_up_when_done=bool(args.input_wav),
        on_partial=lambda text: console.err(f"  … {text}") if text else None,
        on_error=lambda exc: console.out(f"! voice: {exc}"),
        on_listening=lambda on: console.err("  [recording — press Enter to stop]" if on else "  [stopped]"),
    )


class TranscriptPrinter:
    """Prints the transcript entries that appeared since the last call (the API's own projection)."""

    def __init__(self, sim: Any, call_id: str, out: Callable[[str], None]) -> None:
        self.sim, self.call_id, self.out, self.shown = sim, call_id, out, 0

    def __call__(self) -> None:
        entries = self.sim.transcript(self.call_id)["transcript"]
        for entry in entries[self.shown:]:
            asr = f"  [asr {entry['confidence']:.2f}]" if entry.get("confidence") is not None else ""
            self.out(f"{entry['role']}: {entry['content']}{asr}")
        self.shown = len(entries)


def drive_live(sim: Any, call_id: str, caller: Any, *, max_seconds: float, speed: float = 1.0,
               on_tick: Callable[[], None] | None = None) -> None:
    """Run the call on the wall clock until it ends or `max_seconds` (wall) pass; bounded."""
    from aployee_sim.core.clock import WallPacer

    pacer = WallPacer(speed, start_ms=sim.now_ms)
    limit_ms = sim.now_ms + round(max_seconds * 1000 * speed)
    for _ in range(int(max_seconds / TICK_SECONDS) + 10):
        caller.pump()
        now = min(pacer.virtual_now_ms(), limit_ms)
        sim.run(until_ms=now)
        if on_tick is not None:
            on_tick()
        if sim.is_terminal(call_id):
            return
        if now >= limit_ms:
            break
        time.sleep(TICK_SECONDS)
    if not sim.is_terminal(call_id):
        sim.line(call_id).hang_up()
        sim.run(until_ms=sim.now_ms)


def _push_to_talk_keys(caller: Any, stop: threading.Event) -> None:
    """Enter starts recording, Enter again stops it (a daemon thread reading stdin)."""
    for _ in sys.stdin:
        if stop.is_set():
            return
        if caller.listening:
            caller.stop_talking()
        else:
            caller.start_talking()


def run(args: argparse.Namespace) -> int:
    if not (args.mic or args.input_wav):
        raise UsageError("say where the caller's voice comes from: --mic (the microphone) or --input-wav FILE")
    if args.input_wav and not Path(args.input_wav).is_file():
        raise UsageError(f"--input-wav: no such file: {args.input_wav}")
    if args.webhook_url and not args.webhook_url.startswith(("http://", "https://")):
        raise UsageError(f"--webhook-url must be an http:// or https:// URL, got {args.webhook_url!r}")
    if args.max_seconds <= 0 or args.speed <= 0:
        raise UsageError("--max-seconds and --speed must be positive")

    console = Console()
    try:
        return _call(args, console)
    finally:
        console.close()


def _call(args: argparse.Namespace, console: Console) -> int:
    from aployee_sim.adapters.speech import VoiceUnavailable
    from aployee_sim.api import Simulator
    from aployee_sim.contract.errors import ApiError

    out = console.out
    try:
        caller = open_voice(args, console)
    except VoiceUnavailable as exc:
        raise UsageError(str(exc)) from None
    stop_keys = threading.Event()
    with Simulator(seed=args.seed) as sim:
        try:
            assistant_id = create_assistant(sim, args)
            call_id = sim.start_call(assistant_id, args.to, caller=caller)["id"]
        except ApiError as exc:  # e.g. a malformed --webhook-url or --to, in the API's own words
            caller.close()
            raise UsageError(f"{exc.message}") from None
        out(f"# call {call_id} to {args.to}: " + ("Enter to start/stop talking" if caller.push_to_talk else
                                                  "speak after the assistant" if not args.input_wav
                                                  else f"playing {args.input_wav}") + "; Ctrl+C hangs up")
        if caller.push_to_talk:
            threading.Thread(target=_push_to_talk_keys, args=(caller, stop_keys), daemon=True).start()
        printer = TranscriptPrinter(sim, call_id, out)
        try:
            drive_live(sim, call_id, caller, max_seconds=args.max_seconds, speed=args.speed, on_tick=printer)
        except KeyboardInterrupt:
            sim.line(call_id).hang_up()
            sim.run(until_ms=sim.now_ms)
        finally:
            stop_keys.set()
            printer()
            caller.wait_replies(timeout=10.0 if not args.mute else 0.1)
            caller.close()
        details = sim.call_details(call_id)
        summary = {k: details.get(k) for k in ("status", "duration_seconds", "final_state") if k in details}
        out("# " + json.dumps({**summary, "reason": sim.record(call_id).end_reason}))
    return 0


HELP = """\
Talk to an assistant through your microphone and hear it answer, as a caller would.

The assistant is a small built-in support desk (add replies with --intent KEYWORD=REPLY) or your
own reasoning webhook (--webhook-url). The call runs on your machine in real time (--speed to
hurry it); the transcript is printed as it happens, what is being recognised goes to stderr.
--input-wav FILE plays a recording instead of the microphone: each utterance in it is said at the
caller's next turn, and the caller hangs up when the file ends. Needs the voice extra:
pip install 'aployee-sim[voice]'.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("call", help="talk to an assistant through the microphone and hear it answer",
                                   description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mic", action="store_true", help="the caller is you, through the microphone")
    parser.add_argument("--input-wav", metavar="FILE", type=readable_file, help="feed this 16-bit PCM WAV instead of the microphone")
    parser.add_argument("--vosk-model", metavar="DIR", help="vosk model directory (default $APLOYEE_SIM_VOSK_MODEL)")
    parser.add_argument("--vosk-lang", metavar="CODE", help="language code: vosk finds or downloads a small model")
    parser.add_argument("--phrases", nargs="+", metavar="PHRASE", help="grammar mode: only these phrases can be heard")
    parser.add_argument("--device", help="microphone (name or number, see `python -m sounddevice`)")
    parser.add_argument("--output-device", help="speaker for the replies (name or number)")
    parser.add_argument("--mute", action="store_true", help="do not speak the assistant's replies")
    parser.add_argument("--voice", help="eSpeak voice for the replies (e.g. en-us, ko)")
    parser.add_argument("--push-to-talk", action="store_true", help="Enter starts and stops recording "
                                                                   "(default: hands-free, end of speech detected)")
    parser.add_argument("--webhook-url", metavar="URL", help="your assistant's reasoning webhook (default: built-in brain)")
    parser.add_argument("--intent", action="append", default=[], metavar="KEYWORD=REPLY",
                        help="built-in brain: reply REPLY when the caller says KEYWORD (repeatable)")
    parser.add_argument("--first-message", default="Thanks for calling Acme support. How can I help?",
                        help="what the assistant says first")
    parser.add_argument("--to", default=DEFAULT_TO, help=f"the number called (default {DEFAULT_TO})")
    parser.add_argument("--max-seconds", type=positive_number, default=300.0, help="hang up after this long (default 300)")
    parser.add_argument("--speed", type=positive_number, default=1.0, help="virtual seconds per wall second (default 1)")
    parser.add_argument("--seed", type=seed_number, default=7, help="seed of the random source (default 7)")
    parser.set_defaults(run=run)
