"""Reading what a generated PDF holds, for tests: its bytes with every compressed stream
inflated, so bookmarks, metadata, page boxes and text operators can be searched."""

import re
import zlib


def pdf_inflated(pdf: bytes) -> bytes:
    """The PDF's bytes followed by each of its streams inflated.

    Each stream is inflated from its start until zlib says it has ended. Cutting it at the next
    "endstream" instead loses the last byte of a stream whose compressed bytes end in a carriage
    return (about 1 in 256), and that stream was then skipped."""
    text = pdf
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            text += zlib.decompressobj().decompress(pdf[match.end() :])
        except zlib.error:
            continue
    return text
