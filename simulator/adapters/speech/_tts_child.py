"""Child process for `SpeechSynthesizer(isolation="process")`: JSON request on stdin.

Exit 0 = WAV written; exit 3 = `VoiceUnavailable`, its problem and fix as JSON on the last stdout line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aployee_sim.adapters.speech.audio import VoiceUnavailable
from aployee_sim.adapters.speech.synthesizer import _render, shared_engine


def main() -> int:
    request = json.loads(sys.stdin.read())
    try:
        _render(shared_engine(), request["text"], Path(request["path"]), request)
    except VoiceUnavailable as exc:
        print(json.dumps({"problem": exc.problem, "fix": exc.fix}), flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
