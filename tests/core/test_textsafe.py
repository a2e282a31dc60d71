import pytest

from core.textsafe import text_without_links


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Win £££ at evil.example/x", "Win £££ at evil. example/x"),
        ("http://evil.example", "there"),
        ("HTTPS://EVIL.EXAMPLE/path", "there"),
        ("see www.evil.example now", "see now"),
        ("write to me@evil.example", "write to"),
        ("ftp:evil.example", "there"),
        ("evil。example", "evil. example"),
        ("evil\u200b.example", "evil. example"),
        ("evil.example:8080/x", "there"),
    ],
)
def test_a_name_loses_every_link_a_mail_client_could_make(typed, printed):
    assert text_without_links(typed, default="there") == printed


@pytest.mark.parametrize(
    "name", ["Priya Shah", "Mary-Jane O'Neil", "Dr. A. Smith", "Zoë Ångström", "Ada: hello"]
)
def test_ordinary_names_are_kept_as_typed(name):
    assert text_without_links(name) == name
