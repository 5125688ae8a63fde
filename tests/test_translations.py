"""Every interface string has an English translation with the same placeholders."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


def _ids(message) -> tuple:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_every_string_in_the_code_is_translated_to_english(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "N_", "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = [m for m in read_po(f) if m.id]
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = read_po(f)
    missing, broken = [], []
    for message in wanted:
        found = english.get(message.id)
        if found is None or found.fuzzy or not all(_strings(found)):
            missing.append(_ids(message)[0])
            continue
        expected = sorted(PLACEHOLDER.findall(_ids(message)[0]))
        for text in _strings(found):
            if sorted(PLACEHOLDER.findall(text)) != expected and len(_ids(message)) == 1:
                broken.append(_ids(message)[0])
    assert missing == [], f"{len(missing)} strings without English: run `make messages`"
    assert broken == []
