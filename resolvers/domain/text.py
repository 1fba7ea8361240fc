"""What the API accepts as text.

"Blank" is nothing but whitespace and invisible characters: a description of zero-width
spaces, byte-order marks or NULs says nothing, though `str.strip()` keeps them. A string
with a lone surrogate (`"\\ud800"`, which JSON can carry) is not Unicode at all: UTF-8
cannot encode it, so it must be refused before it reaches the store or a queue."""

import unicodedata

# Cc control, Cf format (zero-width space, BOM, direction marks), Zs/Zl/Zp separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def is_unicode(value: str) -> bool:
    """False when `value` holds a lone surrogate (not encodable as UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_blank(value: str) -> bool:
    """True when every character is whitespace or invisible (or there is none)."""
    return all(unicodedata.category(character) in INVISIBLE_CATEGORIES for character in value)
