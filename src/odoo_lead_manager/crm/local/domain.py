"""Odoo domains over logical lead and user fields, compiled to parameterised SQLite SQL.

The semantics are Odoo's (see `odoo_lead_manager.crm.store`): ``False`` is
NULL, ``!=`` and ``not in`` also match NULL, ``like``/``ilike`` wrap the value
in ``%``, many2one utm fields compare by name and ``tag_ids`` by tag names.
Field names only ever come from the whitelist below; values are parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from odoo_lead_manager.domain.model import Domain, DomainTerm
from odoo_lead_manager.errors import CrmError

# logical field -> (SQL column of crm_lead, kind)
LEAD_COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("id", "int"),
    "name": ("name", "text"),
    "type": ("type", "text"),
    "active": ("active", "bool"),
    "status": ("status", "text"),
    "source_date": ("source_date", "date"),
    "create_date": ("create_date", "datetime"),
    "write_date": ("write_date", "datetime"),
    "user_id": ("user_id", "int"),
    "open_user_id": ("open_user_id", "int"),
    "closer_id": ("closer_id", "int"),
    "team_id": ("team_id", "int"),
    "partner_id": ("partner_id", "int"),
    "email_from": ("email_from", "text"),
    "phone": ("phone", "text"),
    "priority": ("priority", "priority"),
    "activity_date_deadline": ("activity_date_deadline", "date"),
    "skill": ("skill", "text"),
    "region": ("region", "text"),
    "timezone": ("timezone", "text"),
    "date_open": ("date_open", "datetime"),
}

# many2one fields compared by the name of the record they point to
NAMED_MANY2ONE: dict[str, tuple[str, str]] = {
    "source_id": ("source_id", "utm_source"),
    "campaign_id": ("campaign_id", "utm_campaign"),
    "stage_id": ("stage_id", "crm_stage"),
}

# logical user field -> (SQL column of res_users, kind); ``team`` compares the team's name
USER_COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("id", "int"),
    "name": ("name", "text"),
    "login": ("login", "text"),
    "active": ("active", "bool"),
    "share": ("share", "bool"),
    "team_id": ("sale_team_id", "int"),
}


@dataclass(frozen=True)
class SqlModel:
    """A table that domains can be compiled against, and its whitelisted fields."""

    table: str
    columns: Mapping[str, tuple[str, str]]
    named: Mapping[str, tuple[str, str]]
    tags: bool = False


LEADS = SqlModel("crm_lead", LEAD_COLUMNS, NAMED_MANY2ONE, tags=True)
USERS = SqlModel("res_users", USER_COLUMNS, {"team": ("sale_team_id", "crm_team")})

_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}
_LIKES = {"=like", "like", "=ilike", "ilike", "not like", "not ilike"}
OPERATORS = _COMPARISONS | _LIKES | {"in", "not in"}


@dataclass(frozen=True)
class Sql:
    """A SQL boolean expression and its parameters."""

    text: str
    params: tuple[Any, ...] = ()


def mentions_active(domain: Domain) -> bool:
    """Whether the domain names ``active`` (then archived leads are not hidden)."""
    return any(isinstance(term, tuple | list) and term[0] == "active" for term in domain)


def compile_domain(domain: Domain, model: SqlModel = LEADS) -> Sql:
    """The WHERE expression for ``domain`` over ``model`` (``1`` for an empty one)."""
    terms = list(domain)
    if not terms:
        return Sql("1")
    parts: list[Sql] = []
    position = 0
    while position < len(terms):
        expression, position = _expression(terms, position, model)
        parts.append(expression)
    return _join(" AND ", parts)


def _expression(terms: Sequence[DomainTerm], position: int, model: SqlModel) -> tuple[Sql, int]:
    if position >= len(terms):
        raise CrmError("domain: an operator lacks its operands")
    term = terms[position]
    if term in ("&", "|"):
        left, position = _expression(terms, position + 1, model)
        right, position = _expression(terms, position, model)
        return _join(" AND " if term == "&" else " OR ", [left, right]), position
    if term == "!":
        inner, position = _expression(terms, position + 1, model)
        # A comparison with NULL is unknown in SQL; Odoo's `!` treats it as false.
        return Sql(f"NOT COALESCE(({inner.text}), 0)", inner.params), position
    if isinstance(term, tuple | list) and len(term) == 3:
        return _term(str(term[0]), str(term[1]), term[2], model), position + 1
    raise CrmError(f"domain: {term!r} is not a term or one of '&', '|', '!'")


def _join(glue: str, parts: list[Sql]) -> Sql:
    if len(parts) == 1:
        return parts[0]
    return Sql(glue.join(f"({p.text})" for p in parts), tuple(v for p in parts for v in p.params))


def _term(field: str, operator: str, value: Any, model: SqlModel) -> Sql:
    if operator not in OPERATORS:
        raise CrmError(f"domain: unknown operator {operator!r} (on field {field!r})")
    if field == "tag_ids" and model.tags:
        return _tags(operator, value)
    if field in model.named:
        column, table = model.named[field]
        if value is False or value is None:
            return _null_test(f"{model.table}.{column}", operator, field)
        name_column = f"(SELECT name FROM {table} WHERE {table}.id = {model.table}.{column})"
        return _compare(name_column, operator, value, "text")
    if field not in model.columns:
        raise CrmError(f"domain: unknown {model.table} field {field!r}")
    column, kind = model.columns[field]
    qualified = f"{model.table}.{column}"
    if _is_unset(value, kind):
        return _null_test(qualified, operator, field)
    return _compare(qualified, operator, value, kind)


def _is_unset(value: Any, kind: str) -> bool:
    """Odoo writes an empty value as False; for a boolean field False is a value."""
    return value is None or (value is False and kind != "bool")


def _null_test(column: str, operator: str, field: str) -> Sql:
    if operator == "=":
        return Sql(f"{column} IS NULL")
    if operator == "!=":
        return Sql(f"{column} IS NOT NULL")
    raise CrmError(f"domain: {field!r} {operator!r} False is not a valid comparison")


def _compare(column: str, operator: str, value: Any, kind: str) -> Sql:
    if operator in ("in", "not in"):
        if not isinstance(value, list | tuple | set | frozenset):
            raise CrmError(f"domain: {operator!r} needs a list, got {value!r}")
        values = list(value)
        has_null = any(_is_unset(v, kind) for v in values)
        plain = [_value(v, kind) for v in values if not _is_unset(v, kind)]
        marks = ", ".join("?" for _ in plain)
        if operator == "in":
            tests = [f"{column} IN ({marks})"] if plain else []
            if has_null:
                tests.append(f"{column} IS NULL")
            return Sql(" OR ".join(tests) or "0", tuple(plain))
        # Odoo's `not in` keeps NULL rows unless NULL itself is excluded.
        inside = f"{column} NOT IN ({marks})" if plain else "1"
        if has_null:
            return Sql(f"{column} IS NOT NULL AND {inside}", tuple(plain))
        return Sql(f"({column} IS NULL OR {inside})", tuple(plain))
    if operator in _LIKES:
        pattern = str(value)
        if not operator.startswith("="):
            pattern = f"%{pattern}%"
        insensitive = "ilike" in operator
        # SQLite's LIKE ignores ASCII case; GLOB adds the case-sensitive check `like` needs.
        test = f"{column} LIKE ?" if insensitive else f"{column} LIKE ? AND {column} GLOB ?"
        params: tuple[Any, ...] = (pattern,) if insensitive else (pattern, _like_to_glob(pattern))
        if operator.startswith("not"):
            return Sql(f"({column} IS NULL OR NOT ({test}))", params)
        return Sql(test, params)
    converted = _value(value, kind)
    if operator == "!=":
        return Sql(f"({column} IS NULL OR {column} != ?)", (converted,))
    return Sql(f"{column} {operator} ?", (converted,))


def _like_to_glob(pattern: str) -> str:
    """A GLOB pattern matching exactly what the case-sensitive LIKE ``pattern`` matches."""
    out = []
    for char in pattern:
        if char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def _tags(operator: str, value: Any) -> Sql:
    if operator not in ("in", "not in"):
        raise CrmError(f"domain: tag_ids supports 'in' and 'not in', not {operator!r}")
    names = [value] if isinstance(value, str) else list(value)
    marks = ", ".join("?" for _ in names) or "NULL"
    exists = (
        "EXISTS (SELECT 1 FROM crm_tag_rel JOIN crm_tag ON crm_tag.id = crm_tag_rel.tag_id "
        f"WHERE crm_tag_rel.lead_id = crm_lead.id AND crm_tag.name IN ({marks}))"
    )
    return Sql(exists if operator == "in" else f"NOT {exists}", tuple(names))


def _value(value: Any, kind: str) -> Any:
    if kind == "bool":
        return 1 if value else 0
    if kind == "priority":
        return str(int(value))
    if kind == "date" and isinstance(value, date | datetime):
        return value.isoformat()[:10]
    if kind == "datetime" and isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if kind == "datetime" and isinstance(value, date):
        return value.isoformat()
    if kind == "int" and not isinstance(value, int):
        raise CrmError(f"domain: expected a record id, got {value!r}")
    return value
