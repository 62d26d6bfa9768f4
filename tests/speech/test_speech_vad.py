"""Unit tests for the energy end-pointer with synthetic tone bursts and silence."""

from __future__ import annotations

import math

import pytest

from aployee_sim.adapters.speech import AudioClip, EnergyEndpointer, VadEvent, concat


def tone(seconds: float, dbfs: float = -20.0, freq: float = 220.0, rate: int = 16_000) -> AudioClip:
    amplitude = 32768 * math.sqrt(2) * 10 ** (dbfs / 20)
    n = int(seconds * rate)
    return AudioClip.from_samples([int(amplitude * math.sin(2 * math.pi * freq * i / rate)) for i in range(n)], rate)


def silence(seconds: float) -> AudioClip:
    return AudioClip.silence(seconds)


def run(vad: EnergyEndpointer, clip: AudioClip, chunk: int = 3_200) -> list[VadEvent]:
    events: list[VadEvent] = []
    for pos in range(0, len(clip.pcm), chunk):
        events += vad.feed(clip.pcm[pos : pos + chunk])
    return events + vad.flush()


def utterances(events: list[VadEvent]) -> list[bytes]:
    """Concatenate the audio of each start..end span."""
    spans: list[bytes] = []
    current: bytes | None = None
    for e in events:
        if e.kind == "start":
            assert current is None, "start inside an utterance"
            current = e.pcm
        elif e.kind == "audio":
            assert current is not None, "audio outside an utterance"
            current += e.pcm
        else:
            assert current is not None, "end without start"
            spans.append(current)
            current = None
    assert current is None, "utterance never ended"
    return spans


def test_tone_level_helper_is_calibrated() -> None:
    assert tone(0.2, -30).rms_dbfs() == pytest.approx(-30, abs=0.2)


def test_silence_only_gives_no_events() -> None:
    assert run(EnergyEndpointer(), silence(2.0)) == []


def test_two_bursts_give_two_utterances_with_preroll_and_hangover() -> None:
    clip = concat([silence(0.5), tone(0.6), silence(1.0), tone(0.9), silence(1.0)])
    spans = utterances(run(EnergyEndpointer(preroll_ms=300, hangover_ms=600), clip))
    assert len(spans) == 2
    first = AudioClip(spans[0])
    # 0.3 s pre-roll + 0.6 s tone + 0.6 s hang-over, to the 30 ms frame.
    assert first.duration == pytest.approx(1.5, abs=0.07)
    assert AudioClip(spans[1]).duration == pytest.approx(1.8, abs=0.07)
    # The pre-roll is the silence just before the tone: the span starts quiet.
    assert AudioClip(spans[0][: 2 * 4_000]).rms_dbfs() == -math.inf


def test_short_gap_does_not_split_an_utterance() -> None:
    clip = concat([silence(0.3), tone(0.4), silence(0.25), tone(0.4), silence(1.0)])
    assert len(utterances(run(EnergyEndpointer(hangover_ms=600), clip))) == 1
    assert len(utterances(run(EnergyEndpointer(hangover_ms=150), clip))) == 2


def test_a_click_shorter_than_start_ms_is_ignored() -> None:
    clip = concat([silence(0.3), tone(0.05), silence(1.0)])
    assert run(EnergyEndpointer(start_ms=90), clip) == []
    assert len(utterances(run(EnergyEndpointer(start_ms=30), clip))) == 1


def test_quiet_sound_below_threshold_is_not_speech() -> None:
    assert run(EnergyEndpointer(min_speech_dbfs=-45), concat([tone(1.0, -55)])) == []
    assert len(utterances(run(EnergyEndpointer(min_speech_dbfs=-60), concat([tone(1.0, -55)])))) == 1


def test_noise_floor_adapts_to_steady_background() -> None:
    vad = EnergyEndpointer(min_speech_dbfs=-60, margin_db=12, noise_adapt=0.2)
    assert vad.threshold_dbfs() == -58
    assert run(vad, tone(2.0, -62, freq=1_000)) == []  # hum just under the bar
    assert vad.noise_dbfs == pytest.approx(-62, abs=0.5)
    assert vad.threshold_dbfs() == pytest.approx(-50, abs=0.5)
    # A sound at -55 dBFS would have counted before the floor rose; now it does not.
    assert run(vad, tone(1.0, -55)) == []
    assert len(utterances(run(vad, concat([tone(0.5, -30), silence(1.0)])))) == 1


def test_long_monologue_is_cut_at_max_utterance() -> None:
    spans = utterances(run(EnergyEndpointer(max_utterance_s=1.0), concat([silence(0.2), tone(3.2), silence(1.0)])))
    assert len(spans) >= 3
    assert all(AudioClip(s).duration <= 1.05 for s in spans)


def test_flush_ends_a_running_utterance() -> None:
    vad = EnergyEndpointer()
    events = vad.feed(concat([silence(0.3), tone(0.5)]).pcm + b"\x10\x00" * 7)
    assert [e.kind for e in events][:1] == ["start"]
    assert vad.in_speech
    tail = vad.flush()
    assert tail[-1].kind == "end" and not vad.in_speech
    assert vad.flush() == []


@pytest.mark.parametrize("chunk", [2, 962, 1_600, 7_777, 10**6])
def test_chunking_does_not_change_the_result(chunk: int) -> None:
    clip = concat([silence(0.4), tone(0.5), silence(0.8), tone(0.3), silence(0.8)])
    reference = utterances(run(EnergyEndpointer(), clip, chunk=len(clip.pcm)))
    assert utterances(run(EnergyEndpointer(), clip, chunk=chunk)) == reference
    assert len(reference) == 2
