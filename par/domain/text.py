"""Vietnamese text compared as people mean it: the two tone placements made one.

Vietnamese writes the tone of the rhymes oa, oe and uy (no final consonant) in two ways:
the old style on the second vowel (hoà, khoẻ, thuỷ) and the new style on the first (hòa,
khỏe, thủy). Both are in use, often in the same province ("Thái Hoà" in one file, "Thái
Hòa" in another), so names and choice labels are compared after ``fold_tone``, which
writes every such rhyme in the new style. Only the comparison changes: what is stored
and shown stays as people typed it.

In "qu" the u belongs to the consonant, so "quý" is right in both styles and stays; a
rhyme followed by a consonant (hoàn, hoàng, khuyên, huỳnh) has one spelling and is left
alone.
"""
from __future__ import annotations

import re
import unicodedata

# old style (tone on the second vowel) → new style (tone on the first), lower case
TONE_PAIRS: dict[str, str] = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
_CASED = {**TONE_PAIRS,
          **{old.upper(): new.upper() for old, new in TONE_PAIRS.items()},
          **{old.capitalize(): new.capitalize() for old, new in TONE_PAIRS.items()},
          **{old[0] + old[1].upper(): new[0] + new[1].upper() for old, new in TONE_PAIRS.items()}}
# a pair at the end of a word (no letter follows), not the u of "qu"
_OLD_STYLE = re.compile("(?<![qQ])(" + "|".join(sorted(_CASED)) + r")(?!\w)")


def fold_tone(text: str) -> str:
    """``text`` in NFC with old-style tone marks on oa/oe/uy moved to the new style:
    'Thái Hoà' → 'Thái Hòa', 'khoẻ' → 'khỏe', 'Thuỷ' → 'Thủy'; 'quý', 'hoàn' unchanged."""
    text = unicodedata.normalize("NFC", text)
    return _OLD_STYLE.sub(lambda m: _CASED[m.group(1)], text)
