"""Odoo's values in and out, in one place.

Odoo answers with ``False`` for every empty value, many2one as
``[id, "display name"]``, many2many as id lists, dates and datetimes as UTC
strings and ``priority`` as ``'0'``-``'3'``; stages downstream see only the
plain `Lead`. Domains over logical fields go the other way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from odoo_lead_manager.config.fields import LOGICAL_FIELDS, FieldMap, MappedField
from odoo_lead_manager.domain.model import Domain, DomainTerm, Lead, split_values, write_stamp
from odoo_lead_manager.errors import CrmError

_NEGATIVE = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike"}


def empty(value: Any) -> bool:
    """Odoo's empty: ``False`` (or ``None`` from a JSON transport)."""
    return value is False or value is None


def many2one_id(value: Any) -> int | None:
    if empty(value):
        return None
    if isinstance(value, list | tuple):
        return int(value[0])
    return int(value)


def many2one_name(value: Any) -> str | None:
    if empty(value):
        return None
    if isinstance(value, list | tuple):
        return str(value[1])
    return str(value)


def parse_date(value: Any) -> date | None:
    """A date from ``'YYYY-MM-DD'`` or the date part of a UTC datetime string."""
    if empty(value):
        return None
    return date.fromisoformat(str(value)[:10])


def parse_datetime(value: Any) -> datetime | None:
    if empty(value):
        return None
    text = str(value)
    return datetime.fromisoformat(text if len(text) > 10 else f"{text} 00:00:00")


def _text(value: Any) -> str | None:
    return None if empty(value) else str(value)


def read_value(field: MappedField, value: Any) -> Any:
    """One field's Odoo value as the domain value of its logical field."""
    return converter(field)(value)


def converter(field: MappedField) -> Callable[[Any], Any]:
    """How one field's Odoo values become its logical field's values (`read_value`),
    chosen once per field rather than once per value."""
    if field.type == "many2one":
        return many2one_name if field.by_name else many2one_id
    if field.type == "date" or (field.type == "datetime" and field.logical == "source_date"):
        return parse_date
    if field.type == "datetime":
        return parse_datetime
    if field.type == "boolean":
        return bool
    if field.logical == "priority":
        return _priority
    if field.type == "many2many":
        return _ids
    return _text


def _priority(value: Any) -> int:
    return int(value) if not empty(value) else 0


def _ids(value: Any) -> list[int]:
    return [int(v) for v in value] if value else []


class LeadReader:
    """`Lead` values from ``search_read`` records of crm.lead, for one field mapping.

    Each mapped field's conversion is chosen once: a page of 5,000 leads holds
    about 100,000 values, and choosing per value cost as much as converting
    (issue 27).
    """

    def __init__(self, fields: FieldMap) -> None:
        self._fields = [(name, f.odoo, converter(f)) for name, f in fields.items() if name != "id"]
        # Unmapped fields read as None, as an empty value would.
        self._unmapped = dict.fromkeys(LOGICAL_FIELDS.keys() - {"id", *dict(fields.items())})
        self._has_active = "active" in fields

    def lead(self, record: Mapping[str, Any], tag_names: Mapping[int, str]) -> Lead:
        """A `Lead` from one record; ``tag_names`` names its tags."""
        got = {name: convert(record.get(odoo, False)) for name, odoo, convert in self._fields}
        got.update(self._unmapped)
        return Lead(
            id=int(record["id"]),
            name=got["name"] or "",
            type=got["type"] or "lead",
            active=bool(got["active"]) if self._has_active else True,
            status=got["status"],
            stage=got["stage_id"],
            source_date=got["source_date"],
            create_date=got["create_date"],
            write_date=got["write_date"],
            user_id=got["user_id"],
            open_user_id=got["open_user_id"],
            closer_id=got["closer_id"],
            team_id=got["team_id"],
            source=got["source_id"],
            campaign=got["campaign_id"],
            tags=tuple(sorted(tag_names[t] for t in got["tag_ids"] or () if t in tag_names)),
            partner_id=got["partner_id"],
            email=got["email_from"],
            phone=got["phone"],
            priority=got["priority"] or 0,
            activity_date_deadline=got["activity_date_deadline"],
            skills=split_values(got["skill"] or ""),
            region=got["region"],
            timezone=got["timezone"],
            date_open=got["date_open"],
        )


def lead_from_record(
    record: Mapping[str, Any], fields: FieldMap, tag_names: Mapping[int, str]
) -> Lead:
    """A `Lead` from one ``search_read`` record of crm.lead."""
    return LeadReader(fields).lead(record, tag_names)


def state_reader(
    fields: FieldMap, names: Sequence[str]
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """How a crm.lead record becomes its state: the ``names`` fields and the write stamp,
    as `LeadReader` would give them (an unmapped field has the `Lead` default).

    Each field's conversion is chosen once, not per record: a batch's read-back
    holds thousands of records (issue 27).
    """
    mapped: list[tuple[str, str, Callable[[Any], Any]]] = []
    unmapped: dict[str, Any] = {}
    for name in (*names, "write_date"):
        field = fields.get(name)
        if field is None:
            unmapped[name] = Lead.__dataclass_fields__[name].default
        else:
            mapped.append((name, field.odoo, converter(field)))

    def read(record: Mapping[str, Any]) -> dict[str, Any]:
        state = {name: convert(record.get(odoo, False)) for name, odoo, convert in mapped}
        state.update(unmapped)
        state["write_date"] = write_stamp(state["write_date"])
        return state

    return read


def odoo_domain(domain: Domain, fields: FieldMap) -> list[Any]:
    """A logical domain in crm.lead field names, with Odoo's own value shapes."""
    _check_arity(domain)
    result: list[Any] = []
    for term in domain:
        if isinstance(term, str):
            if term not in ("&", "|", "!"):
                raise CrmError(f"domain: {term!r} is not one of '&', '|', '!'")
            result.append(term)
        else:
            result.extend(_term(term, fields))
    return result


def _check_arity(domain: Domain) -> None:
    """Refuse a domain whose prefix operators lack operands, before the server sees it."""
    operands = 0
    for term in reversed(domain):
        if term in ("&", "|"):
            if operands < 2:
                raise CrmError(f"domain: {term!r} needs two operands")
            operands -= 1
        elif term == "!":
            if operands < 1:
                raise CrmError("domain: '!' needs an operand")
        else:
            operands += 1


def _term(term: DomainTerm, fields: FieldMap) -> list[Any]:
    if not isinstance(term, tuple | list) or len(term) != 3:
        raise CrmError(f"domain: {term!r} is not a (field, operator, value) term")
    logical, operator, value = term
    field = fields.get(logical)
    if field is None:
        raise CrmError(f"domain: lead field {logical!r} is not mapped to a crm.lead field")
    if empty(value) and operator not in ("=", "!="):
        raise CrmError(f"domain: {logical} {operator} False is not a valid comparison")
    if field.type == "many2many":
        if operator not in ("in", "not in"):
            raise CrmError(f"domain: {logical} supports 'in' and 'not in', not {operator!r}")
        names = [value] if isinstance(value, str) else list(value)
        positive = (f"{field.odoo}.name", "in", names)
        return ["!", positive] if operator == "not in" else [positive]
    if field.by_name and not empty(value):
        # Compare the related record's name exactly. Negations are spelt
        # with '!' so that, as for plain fields, unset values match them.
        if operator in _NEGATIVE:
            return ["!", (f"{field.odoo}.name", _NEGATIVE[operator], _out(field, value))]
        return [(f"{field.odoo}.name", operator, _out(field, value))]
    return [(field.odoo, operator, _out(field, value))]


def _out(field: MappedField, value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return [_out(field, v) for v in value]
    if value is None:
        return False
    if field.logical == "priority" and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value
