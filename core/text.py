"""Small text clean-ups shared by forms, services and documents."""


def one_line(text: str) -> str:
    """`text` on one line: runs of spaces, tabs and line breaks become one space, ends trimmed."""
    return " ".join(text.split())


def address_one_line(address: str) -> str:
    """A multi-line postal address as one line, its non-empty lines joined by commas."""
    return ", ".join(line.strip() for line in address.splitlines() if line.strip())
