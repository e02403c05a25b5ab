"""The safe form of the §2.3 database-query selection: a WHERE clause read as data.

The spec writes ``where_clause: "active = true AND sales_team_id = 1"``. odlm
never sends that text to a database: it parses it into an Odoo domain over
the CRM's user fields, which the Odoo store sends as a ``res.users`` search
and the local store compiles to parameterised SQL over whitelisted columns.

Grammar (keywords in any case)::

    clause     := condition ("AND" condition)*
    condition  := field op value | field "IS" ["NOT"] "NULL"
                | field ["NOT"] "IN" "(" value ("," value)* ")"
                | field ["NOT"] "LIKE" string
    op         := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
    value      := 'text' ('' for a quote) | integer | TRUE | FALSE

Fields: ``id``, ``name``, ``login``, ``active``, ``share`` and the sales team,
spelled ``sales_team_id``, ``sale_team_id`` or ``team_id`` (an id, or a team
name when the value is text). OR and parentheses are not part of the safe
form: an Odoo ``domain`` expresses them.
"""

from __future__ import annotations

import re
from typing import Any

from odoo_lead_manager.domain.model import Domain, DomainTerm

# The user fields a query may name, with the logical field each stands for.
USER_FIELDS = {
    "id": "id",
    "name": "name",
    "login": "login",
    "active": "active",
    "share": "share",
    "team_id": "team_id",
    "sale_team_id": "team_id",
    "sales_team_id": "team_id",
    "team": "team",
}
OPERATORS = {"=", "!=", "<", "<=", ">", ">=", "in", "not in", "like", "ilike", "=like", "=ilike"}

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+)(?![\w.])|(?P<op><=|>=|<>|!=|=|<|>)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)


class QueryError(ValueError):
    """A where clause or domain outside the safe form; the message says what and where."""


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise QueryError(f"cannot read {text[position:].strip()[:20]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            tokens.append(("value", raw[1:-1].replace("''", "'")))
        elif kind == "number":
            tokens.append(("value", int(raw)))
        elif kind == "word" and raw.lower() in ("true", "false"):
            tokens.append(("value", raw.lower() == "true"))
        elif kind == "word":
            tokens.append(("word", raw))
        else:
            tokens.append((kind, raw))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        self.position += 1
        return token

    def keyword(self, *words: str) -> bool:
        kind, raw = self.peek()
        if kind == "word" and str(raw).lower() in words:
            self.position += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise QueryError(f"expected {word.upper()} but found {self.describe()}")

    def describe(self) -> str:
        kind, raw = self.peek()
        return "the end of the clause" if kind == "end" else repr(raw)

    def value(self) -> Any:
        kind, raw = self.take()
        if kind != "value":
            self.position -= 1
            raise QueryError(
                f"expected a value ('text', a number, true or false) but found {self.describe()}"
            )
        return raw

    def clause(self) -> Domain:
        domain: Domain = self.condition()
        while self.peek()[0] != "end":
            if self.keyword("or"):
                raise QueryError("OR is not part of the safe where_clause form; use domain instead")
            self.expect_keyword("and")
            domain.extend(self.condition())
        return domain

    def condition(self) -> Domain:
        kind, raw = self.take()
        if kind != "word":
            self.position -= 1
            raise QueryError(f"expected a field name but found {self.describe()}")
        field = user_field(str(raw))
        if self.keyword("is"):
            negated = self.keyword("not")
            self.expect_keyword("null")
            return [(field, "!=" if negated else "=", False)]
        negated = self.keyword("not")
        if self.keyword("in"):
            if self.take() != ("punct", "("):
                raise QueryError(f"expected ( after IN for {raw}")
            values = [self.value()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self.value())
            if self.take() != ("punct", ")"):
                raise QueryError(f"expected ) to close the IN list of {raw}")
            return [_typed(field, "not in" if negated else "in", values)]
        if self.keyword("like"):
            # SQL's LIKE is Odoo's =like; Odoo has no negated =like, hence '!'.
            term = _typed(field, "=like", self.value())
            return ["!", term] if negated else [term]
        if negated:
            raise QueryError(f"expected IN or LIKE after NOT for {raw}")
        kind, op = self.take()
        if kind != "op":
            self.position -= 1
            raise QueryError(f"expected a comparison after {raw} but found {self.describe()}")
        return [_typed(field, "!=" if op == "<>" else op, self.value())]


def user_field(name: str) -> str:
    """The logical user field ``name`` stands for; anything else is a `QueryError`."""
    try:
        return USER_FIELDS[name.lower()]
    except KeyError:
        known = ", ".join(sorted(USER_FIELDS))
        raise QueryError(f"unknown user field {name!r} (known: {known})") from None


def _typed(field: str, operator: str, value: Any) -> DomainTerm:
    """A team given by name compares by name; the other fields keep their value."""
    values = value if isinstance(value, list) else [value]
    if field == "team_id" and values and all(isinstance(v, str) for v in values):
        field = "team"
    return (field, operator, value)


def parse_where_clause(text: str) -> Domain:
    """The domain ``text`` means, or a `QueryError` naming what is outside the safe form."""
    if not text.strip():
        raise QueryError("the where_clause is empty")
    return _Parser(text).clause()


def check_user_domain(domain: list[Any]) -> Domain:
    """Validate a user domain given in configuration and return it with tuples as terms."""
    checked: Domain = []
    for position, term in enumerate(domain):
        if isinstance(term, str):
            if term not in ("&", "|", "!"):
                raise QueryError(f"item {position + 1}: {term!r} is not '&', '|' or '!'")
            checked.append(term)
            continue
        if not isinstance(term, list | tuple) or len(term) != 3:
            raise QueryError(f"item {position + 1}: {term!r} is not [field, operator, value]")
        field, operator, value = term
        if operator not in OPERATORS:
            raise QueryError(f"item {position + 1}: unknown operator {operator!r}")
        checked.append(_typed(user_field(str(field)), str(operator), value))
    operands = 0
    for term in reversed(checked):
        needed = 2 if term in ("&", "|") else 1 if term == "!" else 0
        if operands < needed:
            raise QueryError(f"operator {term!r} lacks its operands")
        operands += 1 - needed
    if not checked:
        raise QueryError("the domain is empty")
    return checked
