"""Masking personal data (``security.mask_personal_data``) in reports and logs.

Leads are people: their titles often hold a name, and log lines may quote
an e-mail address or a phone number. With masking on, reports show
``J*** S***`` for a lead named "John Smith", and every log record passes
through `MaskingFilter`, which masks e-mail addresses and phone numbers.
Salespeople's names stay: they are the report's subject.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")


# Seven or more digits, with the usual separators: a phone number, not a lead id.
_PHONE = re.compile(r"(?<![\w])\+?\d[\d ().-]{5,}\d(?![\w])")


def mask_name(text: str) -> str:
    """Each word reduced to its first character: "John Smith" -> "J*** S***"."""
    return " ".join(f"{word[0]}***" for word in text.split())


def mask_text(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers masked."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) < 7:
        return match.group(0)
    return f"***{digits[-2:]}"


class MaskingFilter(logging.Filter):
    """Masks e-mail addresses and phone numbers in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
