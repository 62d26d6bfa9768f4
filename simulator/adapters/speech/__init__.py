"""The speech layer: microphone in, recognised text out; reply text in, spoken audio out.

Importing this package needs nothing beyond the standard library: sounddevice, vosk and pyttsx3
(the `voice` extra) are imported only when a microphone, recogniser or synthesiser is used, and a
missing piece raises `VoiceUnavailable` with the fix in its message.
"""

from aployee_sim.adapters.speech.audio import (
    BLOCK_FRAMES,
    SAMPLE_RATE,
    ArraySource,
    AudioClip,
    AudioSink,
    AudioSource,
    CollectingSink,
    MicrophoneSource,
    SoundDevicePlayer,
    VoiceUnavailable,
    WavFileSource,
    concat,
    list_devices,
    resample_pcm,
    rms_dbfs,
)
from aployee_sim.adapters.speech.live import ReplySpeaker, VoiceInput, VoiceKit, open_voice_kit
from aployee_sim.adapters.speech.recognizer import (
    MODEL_ENV,
    ModelChoice,
    Recognition,
    SpeechRecognizer,
    Word,
    choose_model,
    load_model,
    packaged_model_dir,
)
from aployee_sim.adapters.speech.synthesizer import SpeechSynthesizer, captured_output
from aployee_sim.adapters.speech.vad import EnergyEndpointer, VadEvent

__all__ = [
    "BLOCK_FRAMES",
    "MODEL_ENV",
    "SAMPLE_RATE",
    "ArraySource",
    "AudioClip",
    "AudioSink",
    "AudioSource",
    "CollectingSink",
    "EnergyEndpointer",
    "MicrophoneSource",
    "ModelChoice",
    "Recognition",
    "ReplySpeaker",
    "SoundDevicePlayer",
    "SpeechRecognizer",
    "SpeechSynthesizer",
    "VadEvent",
    "VoiceInput",
    "VoiceKit",
    "VoiceUnavailable",
    "WavFileSource",
    "Word",
    "captured_output",
    "choose_model",
    "concat",
    "list_devices",
    "load_model",
    "open_voice_kit",
    "packaged_model_dir",
    "rms_dbfs",
    "resample_pcm",
]
