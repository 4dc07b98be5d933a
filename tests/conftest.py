"""Fixtures shared by the tests under tests/."""

from pathlib import Path

import pytest

XSS_DIR = Path(__file__).parent / "data" / "xss"


def load_xss_payloads() -> list[str]:
    """Every XSS payload in tests/data/xss/*.txt, one a line, files in name order.

    Lines are split on "\\n" only: some payloads hold a form feed or other characters that
    str.splitlines() would treat as line breaks.
    """
    payloads = []
    for path in sorted(XSS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            line = line.removesuffix("\r")
            if line.strip():
                payloads.append(line)
    return payloads


@pytest.fixture(scope="session")
def xss_payloads() -> list[str]:
    return load_xss_payloads()
