"""Visitor-typed text made safe to print in an email: nothing in it a mail client turns into a
link. A public form that sends email would otherwise let anyone send "Win £££ at evil.example/x"
from our address to anyone else's, with our name on it and a link to click."""

import re
import unicodedata

# Dots a mail client may read as the dot of a domain (full stop, one-dot leader, ideographic,
# fullwidth and halfwidth full stops), when text follows them directly.
_DOT_BEFORE_TEXT = re.compile(r"[.\u2024\u3002\uff0e\uff61](?=\S)")
# Words that are links whatever their dots: schemes, www, email addresses.
_LINK_WORD = re.compile(r"(?i)^\W*(?:[a-z][a-z0-9+.-]*:(?=\S)|www\d*\W)|@|:[/\\]{2}")


def text_without_links(value: str, *, default: str = "") -> str:
    """`value` with no link in it: words that are web or email addresses are dropped, and a dot
    inside any other word gets a space after it ("evil.example" becomes "evil. example"). An
    empty result gives `default`."""
    text = unicodedata.normalize("NFKC", str(value))
    # Invisible format characters (zero-width spaces, direction marks) hide a link's shape.
    text = "".join(char for char in text if unicodedata.category(char) not in ("Cf", "Cc"))
    words = [
        _DOT_BEFORE_TEXT.sub(". ", word) for word in text.split() if not _LINK_WORD.search(word)
    ]
    return " ".join(" ".join(words).split()) or default
