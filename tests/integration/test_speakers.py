"""Who said what, on real voices with the real encoder weights (short audio, no Whisper)."""

from __future__ import annotations

import numpy as np
import pytest

from interview_tui.diarization.attribute import SpeakerPlan, attribute_mono, split_by_speaker, word_speakers
from interview_tui.diarization.naming import name_voices
from interview_tui.diarization.turns import diarize
from interview_tui.domain.transcript import Segment
from tests.fixtures.voices import build_interview, script_words


def _accuracy(names: list[str], truth: list[str], mapping: dict[str, str]) -> float:
    return sum(mapping.get(n) == t for n, t in zip(names, truth)) / len(truth)


def test_two_real_voices_are_told_apart(speaker_encoder, two_voice_interview):
    itv = two_voice_interview
    words, truth = script_words(itv)
    d = diarize(itv.audio, words, speaker_encoder, 2)
    voices = [v for v, _, _ in d.word_speakers(len(words))]
    first_iv, first_pt = voices[truth.index("I")], voices[truth.index("P")]
    assert first_iv != first_pt
    right = sum((v == first_iv) == (t == "I") for v, t in zip(voices, truth))
    assert right / len(truth) >= 0.95


@pytest.mark.parametrize("with_events", [True, False], ids=["timeline", "questions"])
def test_interviewer_is_named_and_the_choice_recorded(speaker_encoder, two_voice_interview, with_events):
    itv = two_voice_interview
    words, truth = script_words(itv)
    seg = Segment(words[0].start, words[-1].end, "", words, "Speaker (mono)")
    cues = tuple(t for _, t in itv.events) if with_events else ()
    ws = word_speakers(itv.audio, [seg], SpeakerPlan(2, "MP (interviewer)", "P01", cues), speaker_encoder)
    assert _accuracy(ws.names, truth, {"MP (interviewer)": "I", "P01": "P"}) >= 0.95
    assert ws.provenance["method"] == ("timeline" if with_events else "questions")
    assert ws.provenance["encoder"] == "speaker-ge2e" and "summary" in ws.provenance
    parts = split_by_speaker([seg], ws)  # one Whisper segment holding every turn: cut at each change
    assert [p.speaker for p in parts][:2] == ["MP (interviewer)", "P01"]
    assert sum(len(p.words) for p in parts) == len(words)
    assert all(p.words[0].start == p.start and p.words[-1].end == p.end for p in parts)


def test_the_interviewer_is_found_whichever_voice_they_have(speaker_encoder):
    from tests.fixtures.voices import SHORT_SCRIPT

    itv = build_interview("kal", "slt", SHORT_SCRIPT)  # the voices the other way round
    words, truth = script_words(itv)
    seg = Segment(words[0].start, words[-1].end, "", words)
    ws = word_speakers(itv.audio, [seg], SpeakerPlan(2, "MP", "P01", tuple(t for _, t in itv.events)), speaker_encoder)
    assert _accuracy(ws.names, truth, {"MP": "I", "P01": "P"}) >= 0.95


def test_no_embedding_outlives_the_computation(speaker_encoder, two_voice_interview):
    itv = two_voice_interview
    words, _ = script_words(itv)
    seg = Segment(words[0].start, words[-1].end, "", words)
    ws = word_speakers(itv.audio, [seg], SpeakerPlan(), speaker_encoder)
    assert not any(isinstance(v, np.ndarray) or (isinstance(v, list) and len(v) > 50) for v in ws.provenance.values())


def test_naming_three_voices_keeps_the_extra_person_apart():
    from interview_tui.diarization.turns import Chunk

    chunks = [Chunk(0, 0, 0.0, 3.0, " How are you?", speaker=0), Chunk(1, 1, 3.5, 13.0, " Fine.", speaker=1),
              Chunk(2, 2, 13.5, 15.0, " She means yes.", speaker=2)]
    n = name_voices(chunks, 3, interviewer="MP", participant="P01", cues=[0.2])
    assert n.names == {0: "MP", 1: "P01", 2: "Speaker 3"} and n.provenance["method"] == "timeline"


@pytest.fixture
def session_recording(db, project, two_voice_interview):
    """The two-voice interview as P01's mono recording in a session with MP, with its events."""
    from interview_tui.domain.loader import default_study
    from interview_tui.storage.consent import record_consent
    from interview_tui.storage.interviewers import get_or_add_interviewer
    from interview_tui.storage.participants import add_participant
    from interview_tui.storage.recordings import finish_recording, start_recording
    from interview_tui.storage.sessions import add_event, open_session
    from interview_tui.storage.studies import register_study

    itv = two_voice_interview
    study = default_study()
    study_id = register_study(db, study)
    participant = add_participant(db, study.id, "P01")
    form = study.consent  # transcription needs the participant's consent to audio
    record_consent(db, "P01", form, given=[i.id for i in form.items], declined=[], decision="given",
                   method="paper", study_id=study_id)
    session_id = open_session(db, participant_id=participant.id, study_id=study_id,
                              interviewer_id=get_or_add_interviewer(db, "MP", "interviewer"))
    rel = "recordings/P01/P01-S1.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    itv.write(project.root / rel)
    rid = start_recording(db, participant_code="P01", path=rel, source="import", session_id=session_id)
    finish_recording(db, rid, duration_s=itv.duration_s, sha256="0" * 64)
    for (kind, t), q in zip(itv.events, study.guide.questions()):
        add_event(db, session_id, kind, question_id=q.id, session_offset_s=t, recording_id=rid, recording_offset_s=t)
    return rid


def _by_speaker(segments) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in segments:
        out[s.speaker] = out.get(s.speaker, "") + " " + s.text.lower()
    return out


@pytest.mark.model
@pytest.mark.slow
def test_a_mono_session_recording_comes_out_with_named_turns(db, project, tiny_en, speaker_encoder,
                                                            session_recording, tmp_path):
    """Recorded in a session, transcribed: `MP (interviewer):` and `P01:` turns, no hand edit."""
    import re

    from interview_tui.storage import transcripts as store
    from interview_tui.transcription.batch import Settings, recording_job, run_batch
    from tests.integration.test_transcription_batch import Collect

    settings = Settings(model="tiny.en", language="en", formats=["txt"], out_dir=tmp_path)
    report = run_batch([recording_job(db, project, session_recording, settings)], Collect())
    assert report.results[0].ok, report.results[0].message
    t = store.load_transcript(db, report.results[0].transcript_id)
    assert t.meta.options["speakers"] == "voice"
    assert t.meta.options["speaker_attribution"]["method"] == "timeline"
    by_speaker = _by_speaker(t.segments)
    assert set(by_speaker) == {"MP (interviewer)", "P01"}, by_speaker
    assert "how long" in by_speaker["MP (interviewer)"] and "good working day" in by_speaker["MP (interviewer)"]
    assert "years now" in by_speaker["P01"] and "psychiatry" in by_speaker["P01"]
    txt = report.results[0].outputs[0].read_text()
    assert re.search(r"^\[\d\d:\d\d:\d\d\] MP \(interviewer\): ", txt, flags=re.M)
    assert re.search(r"^\[\d\d:\d\d:\d\d\] P01: ", txt, flags=re.M)


@pytest.mark.model
@pytest.mark.slow
def test_speakers_for_an_existing_transcript_then_swapped(db, project, tiny_en, speaker_encoder, session_recording):
    """Transcribed with --no-speakers; `speakers find` names the turns as a review edit; `swap` undoes a mix-up."""
    from click.testing import CliRunner

    from interview_tui.cli import main
    from interview_tui.review.session import ReviewSession

    base = ["--data-dir", str(project.root)]
    done = CliRunner().invoke(main, base + ["transcribe", "--recording", str(session_recording), "--model",
                                            "tiny.en", "--language", "en", "--no-speakers"])
    assert done.exit_code == 0, done.output
    assert {s.speaker for s in ReviewSession.open(db, session_recording).segments} == {"Speaker (mono)"}

    found = CliRunner().invoke(main, base + ["speakers", "find", str(session_recording)])
    assert found.exit_code == 0, found.output
    assert "interview timeline" in found.output
    by_speaker = _by_speaker(ReviewSession.open(db, session_recording).segments)
    assert set(by_speaker) == {"MP (interviewer)", "P01"}
    assert "how long" in by_speaker["MP (interviewer)"] and "psychiatry" in by_speaker["P01"]

    swapped = CliRunner().invoke(main, base + ["speakers", "swap", str(session_recording)])
    assert swapped.exit_code == 0, swapped.output
    after = _by_speaker(ReviewSession.open(db, session_recording).segments)
    assert after["P01"] == by_speaker["MP (interviewer)"] and after["MP (interviewer)"] == by_speaker["P01"]

    bad = CliRunner().invoke(main, base + ["speakers", "swap", str(session_recording), "MP (interviewer)"])
    assert bad.exit_code == 2 and "exactly two names" in bad.output


def test_an_interviewer_profile_names_them_without_a_timeline(speaker_encoder, db):
    """A profile made from one interview names the interviewer in another (no events, no questions asked)."""
    from interview_tui.diarization.profile import profile_from_segments
    from interview_tui.storage.interviewers import get_or_add_interviewer
    from interview_tui.storage.voice_profiles import delete_interviewer, get_profile, list_profiles, save_profile
    from tests.fixtures.voices import SCRIPT

    first = build_interview("slt", "kal", SCRIPT)
    words, truth = script_words(first)
    segs = [Segment(w.start, w.end, w.word, [w], {"I": "MP", "P": "P01"}[t]) for w, t in zip(words, truth)]
    vector, seconds = profile_from_segments(first.audio, segs, "MP", speaker_encoder)
    assert seconds >= 10
    iid = get_or_add_interviewer(db, "MP", "interviewer")
    save_profile(db, iid, speaker_encoder.name, speaker_encoder.sha256, vector, seconds)
    profile = get_profile(db, iid, speaker_encoder.sha256)
    assert profile is not None and get_profile(db, iid, "another-encoder") is None

    # The participant only answers in statements and the interviewer only says "mm": no question to go by.
    answers = [("P", "I have worked here for about eleven years now, and I like the people.", 0.6, None),
               ("I", "Mm.", 0.5, None), ("P", "It was very busy there, so I moved to psychiatry.", 0.6, None),
               ("I", "I see, that sounds like a big change for you.", 0.6, None),
               ("P", "It was, and I never regretted it, not even on the hardest days.", 0.5, None)]
    second = build_interview("slt", "ked", answers)
    words2, truth2 = script_words(second)
    ws = word_speakers(second.audio, [Segment(0, 1, "", words2)], SpeakerPlan(2, "MP", "P01", (), profile),
                       speaker_encoder)
    assert ws.provenance["method"] == "profile" and ws.provenance["confident"]
    assert _accuracy(ws.names, truth2, {"MP": "I", "P01": "P"}) >= 0.95

    delete_interviewer(db, iid)  # the profile goes with the interviewer
    assert list_profiles(db) == [] and get_profile(db, iid, speaker_encoder.sha256) is None


def test_three_people_are_told_apart_when_the_plan_says_three(speaker_encoder):
    """An interpreter (festival's ked) between the interviewer (slt) and the participant (kal)."""
    script = [("I", "How long have you worked on this ward?", 0.7, "question_reached"),
              ("X", "She asks how long you have worked on the ward.", 0.6, None),
              ("P", "I have worked here for about eleven years now, and I like the people very much.", 0.6, None),
              ("X", "She has worked there for eleven years and likes the people.", 0.8, None),
              ("I", "What does a good working day look like for you?", 0.7, "question_reached"),
              ("X", "She wants to know what a good day at work is like for you.", 0.6, None),
              ("P", "A good day is when I have time to talk with the patients, and nobody is in a hurry.", 0.6, None)]
    itv = build_interview("slt", "kal", script, others={"X": "ked"})
    words, truth = script_words(itv)
    ws = word_speakers(itv.audio, [Segment(0, 1, "", words)],
                       SpeakerPlan(3, "MP", "P01", tuple(t for _, t in itv.events)), speaker_encoder)
    pairs = set(zip(truth, ws.names))
    assert len(pairs) == 3 and len({n for _, n in pairs}) == 3  # one name per person, one person per name
    assert ("I", "MP") in pairs and ws.provenance["speakers"] == 3


def _noisy(audio: np.ndarray, snr_db: float) -> np.ndarray:
    speech = np.mean(audio[np.abs(audio) > 0.01] ** 2)
    noise = np.random.RandomState(0).randn(len(audio)).astype(np.float32)
    return audio + noise * np.float32(np.sqrt(speech / 10 ** (snr_db / 10)))


def test_two_similar_voices_in_noise_are_still_told_apart(speaker_encoder):
    """festival's two male voices, white noise at 10 dB SNR (a noisy room, a recorder far away)."""
    from tests.fixtures.voices import SHORT_SCRIPT

    itv = build_interview("kal", "ked", SHORT_SCRIPT)
    words, truth = script_words(itv)
    ws = word_speakers(_noisy(itv.audio, 10), [Segment(0, 1, "", words)],
                       SpeakerPlan(2, "MP", "P01", tuple(t for _, t in itv.events)), speaker_encoder)
    assert _accuracy(ws.names, truth, {"MP": "I", "P01": "P"}) >= 0.95


@pytest.mark.parametrize("voice", ["slt", "kal"])
def test_one_voice_stays_one_stream(speaker_encoder, voice):
    """A dictation (one person asking and answering, 75 s) is not split into two made-up speakers."""
    from tests.fixtures.voices import SCRIPT

    itv = build_interview(voice, voice, SCRIPT)
    words, _ = script_words(itv)
    seg = Segment(0.0, words[-1].end, "", words, "Speaker (mono)")
    out, prov = attribute_mono([seg], itv.audio, SpeakerPlan(2, "MP", "P01", (0.2,)), speaker_encoder)
    assert prov["method"] == "one-voice" and [s.speaker for s in out] == ["Speaker (mono)"]
