"""A snapshot with its leads' personal data masked (``security.mask_personal_data``)
before it is kept."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import replace
from typing import Any

from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.ops.privacy import mask_name


def masked(snapshot: Snapshot) -> Snapshot:
    """The snapshot with lead titles masked and e-mails and phones pseudonymised.

    Each e-mail address and phone number, on leads and among the sales
    filter's opportunity counts, becomes a keyed hash under a key drawn for
    this snapshot and then forgotten: matches between a lead and an
    opportunity still hold on replay, yet nothing recovers the number, not
    even by trying every phone number. Phones hash to digits and e-mails to
    lower-case hex, which the matching's normalisation leaves unchanged.
    """
    if snapshot.masked:
        return snapshot
    key = secrets.token_bytes(32)

    def email(value: str | None) -> str | None:
        text = (value or "").strip().casefold()
        return _keyed(key, text).hex()[:24] if text else None

    def phone(value: str | None) -> str | None:
        digits = "".join(c for c in str(value or "") if c.isdigit())
        return str(int.from_bytes(_keyed(key, digits)[:8], "big")) if digits else None

    leads = tuple(
        replace(lead, name=mask_name(lead.name), email=email(lead.email), phone=phone(lead.phone))
        for lead in snapshot.fetched.leads
    )
    counts: dict[str, list[tuple[list[Any], int]]] = {}
    for asked, rows in snapshot.answers.counts.items():
        group = json.loads(asked)[2]
        kinds = [_PERSONAL_KEYS.get(name) for name in group]
        if not any(kinds):
            counts[asked] = rows
            continue
        counts[asked] = [
            (
                [
                    email(v) if kind == "email" else phone(v) if kind == "phone" else v
                    for v, kind in zip(values, kinds, strict=True)
                ],
                count,
            )
            for values, count in rows
        ]
    return replace(
        snapshot,
        fetched=replace(snapshot.fetched, leads=leads),
        answers=replace(snapshot.answers, counts=counts),
        masked=True,
    )


def _keyed(key: bytes, text: str) -> bytes:
    return hashlib.blake2b(text.encode(), key=key, digest_size=32).digest()


# Group-by fields whose values are personal data (the sales filter's secondary matches).
_PERSONAL_KEYS = {"email_from": "email", "email": "email", "phone": "phone"}
