import pytest

from paperwire.models.users import username_base
from paperwire.users import InvalidEmail, normalize_email


def test_addresses_are_normalised():
    assert normalize_email("  Ada.L@Example.ORG ") == "ada.l@example.org"
    assert username_base("Ada.L+papers@example.org") == "ada.l"
    assert username_base("---@example.org") == "user"
    # An internationalised address is kept, in one Unicode form whichever way it was typed.
    assert (
        normalize_email("Jo\u0308e@Example.org")
        == normalize_email("jöe@example.org")
        == "j\u00f6e@example.org"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ada",
        "ada@",
        "@example.org",
        "a b@example.org",
        "a@b",
        "<a@b.c>",
        "a@b.c" + "x" * 300,
        "a@b.org\r\nBcc: x@evil.org",
        "a\x00b@example.org",
        "a\x7fb@example.org",
        "a\u202eb@example.org",
        "a\u200bb@example.org",
        "a@example.org\u2028bcc: x@evil.org",
    ],
)
def test_bad_addresses_are_refused(bad):
    with pytest.raises(InvalidEmail):
        normalize_email(bad)
