import pytest

from paperwire.users import InvalidEmail, normalize_email, username_base


def test_addresses_are_normalised():
    assert normalize_email("  Ada.L@Example.ORG ") == "ada.l@example.org"
    assert username_base("Ada.L+papers@example.org") == "ada.l"
    assert username_base("---@example.org") == "user"


@pytest.mark.parametrize(
    "bad", ["", "ada", "ada@", "@example.org", "a b@example.org", "a@b", "<a@b.c>", "a@b.c" + "x" * 300]
)
def test_bad_addresses_are_refused(bad):
    with pytest.raises(InvalidEmail):
        normalize_email(bad)
