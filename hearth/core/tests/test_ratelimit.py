"""The visitor's address that rate limits count by."""

import pytest
from django.test import RequestFactory

from hearth.core import ratelimit

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize(
    ("proxy", "forwarded", "expected"),
    [
        # Behind our proxy, only the hop it appended (the last) is not the client's word.
        (PROXY, "203.0.113.7", "203.0.113.7"),
        (PROXY, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (PROXY, "6.6.6.6,7.7.7.7 ,  203.0.113.7 ", "203.0.113.7"),
        (PROXY, "", "10.0.0.2"),
        (PROXY, "6.6.6.6, ", "10.0.0.2"),
        # Without one, the header is anyone's to send.
        (None, "203.0.113.7", "10.0.0.2"),
    ],
)
def test_the_client_address_is_the_hop_our_proxy_saw(settings, proxy, forwarded, expected):
    settings.SECURE_PROXY_SSL_HEADER = proxy
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert ratelimit.client_address(request) == expected
