"""Language codes a study may give: the ones faster-whisper transcribes.

Kept as plain data so the domain layer does not import faster-whisper; a unit
test checks the tuple against `faster_whisper.tokenizer._LANGUAGE_CODES`.
"""

from __future__ import annotations

WHISPER_LANGUAGES: tuple[str, ...] = (
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy",
    "da", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw",
    "he", "hi", "hr", "ht", "hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn",
    "ko", "la", "lb", "ln", "lo", "lt", "lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt",
    "my", "ne", "nl", "nn", "no", "oc", "pa", "pl", "ps", "pt", "ro", "ru", "sa", "sd", "si",
    "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tk", "tl",
    "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "zh", "yue",
)  # fmt: skip

#: Codes people write that Whisper knows under another code.  Whisper's own
#: "nn" is barely trained, so both written forms of Norwegian go to "no".
LANGUAGE_ALIASES: dict[str, str] = {"nb": "no", "nn": "no", "nob": "no", "nno": "no", "nor": "no"}
