import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from hearth.core.links import fast_reverse


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("community:topic", ["hub-pro-firmware", 98708]),
        ("community:topic", ["topic", 1]),
        ("community:space", ["hubs-and-bridges"]),
        ("community:post", [5]),
        ("community:profile", ["ada"]),
        ("community:profile", ["ada.lovelace+test@example-org_1"]),
        ("community:react", [12, "helpful"]),
    ],
)
def test_fast_reverse_gives_what_reverse_gives(name, args):
    assert fast_reverse(name, *args) == reverse(name, args=args)


def test_fast_reverse_follows_the_script_prefix():
    set_script_prefix("/community/")
    try:
        assert fast_reverse("community:space", "general") == reverse(
            "community:space", args=["general"]
        )
        assert fast_reverse("community:space", "general").startswith("/community/")
    finally:
        clear_script_prefix()
    assert fast_reverse("community:space", "general") == "/s/general/"


def test_fast_reverse_quotes_what_reverse_quotes():
    assert fast_reverse("community:profile", "a b?c#d") == reverse(
        "community:profile", args=["a b?c#d"]
    )


def test_fast_reverse_refuses_a_wrong_number_of_arguments():
    with pytest.raises(NoReverseMatch):
        fast_reverse("community:topic", "only-a-slug")
