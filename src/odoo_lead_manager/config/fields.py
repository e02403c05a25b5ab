"""Which crm.lead field holds each logical lead field, and of which Odoo type.

The logical names are those of `odoo_lead_manager.domain.model` and of the domains
the stages build. By default each maps to the field of the same name; the
target installation's custom fields (``status``, ``source_date``,
``open_user_id``, ``closer_id``) can be mapped elsewhere in
``crm.field_mapping`` (e.g. ``status: stage_id`` and
``source_date: create_date`` on a stock Odoo), or to null where the
installation has no such field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# logical name -> (default crm.lead field or None when a stock Odoo has none, Odoo types)
LOGICAL_FIELDS: Mapping[str, tuple[str | None, frozenset[str]]] = {
    "id": ("id", frozenset({"integer"})),
    "name": ("name", frozenset({"char"})),
    "type": ("type", frozenset({"selection"})),
    "active": ("active", frozenset({"boolean"})),
    "status": ("status", frozenset({"char", "selection", "many2one"})),
    "stage_id": ("stage_id", frozenset({"many2one"})),
    "source_date": ("source_date", frozenset({"date", "datetime"})),
    "create_date": ("create_date", frozenset({"datetime"})),
    "write_date": ("write_date", frozenset({"datetime"})),
    "user_id": ("user_id", frozenset({"many2one"})),
    "open_user_id": ("open_user_id", frozenset({"many2one"})),
    "closer_id": ("closer_id", frozenset({"many2one"})),
    "team_id": ("team_id", frozenset({"many2one"})),
    "source_id": ("source_id", frozenset({"many2one", "char", "selection"})),
    "campaign_id": ("campaign_id", frozenset({"many2one", "char", "selection"})),
    "tag_ids": ("tag_ids", frozenset({"many2many"})),
    "partner_id": ("partner_id", frozenset({"many2one"})),
    "email_from": ("email_from", frozenset({"char"})),
    "phone": ("phone", frozenset({"char"})),
    "priority": ("priority", frozenset({"selection"})),
    "activity_date_deadline": ("activity_date_deadline", frozenset({"date"})),
    # Odoo's "Assignment Date", what its 30-day capacity counts by (``odoo_team``).
    "date_open": ("date_open", frozenset({"datetime"})),
    # What the §4.3 matching rules compare with salesperson columns; mapped when used
    # (e.g. region: country_id or state_id, skill and timezone: custom x_ fields).
    "skill": (None, frozenset({"char", "selection", "many2one"})),
    "region": (None, frozenset({"char", "selection", "many2one"})),
    "timezone": (None, frozenset({"char", "selection"})),
}

# Logical fields whose many2one value is compared and reported by name.
NAMED_FIELDS = frozenset({"status", "stage_id", "source_id", "campaign_id", "skill", "region"})
# Logical fields every run needs; the others may be mapped to null.
REQUIRED_FIELDS = frozenset({"id", "name", "type", "active", "user_id", "write_date"})


@dataclass(frozen=True)
class MappedField:
    """One logical field as it exists on the server."""

    logical: str
    odoo: str
    type: str
    relation: str | None = None

    @property
    def by_name(self) -> bool:
        """Whether values are record names (a many2one compared by name)."""
        return self.type == "many2one" and self.logical in NAMED_FIELDS


def configured_mapping(overrides: Mapping[str, str | None]) -> dict[str, str | None]:
    """Logical field -> crm.lead field name (None: not present), defaults filled in."""
    unknown = sorted(set(overrides) - LOGICAL_FIELDS.keys())
    if unknown:
        raise ValueError(
            f"unknown logical field(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(LOGICAL_FIELDS))})"
        )
    mapping: dict[str, str | None] = {k: v[0] for k, v in LOGICAL_FIELDS.items()}
    mapping.update(overrides)
    return mapping


@dataclass(frozen=True)
class FieldProblem:
    """A mapped field that is missing or has an unusable type, and what to do."""

    logical: str
    odoo: str | None
    problem: str


class FieldMap:
    """The mapping checked against the server's ``fields_get``."""

    def __init__(self, fields: Mapping[str, MappedField]) -> None:
        self._fields = dict(fields)

    @classmethod
    def resolve(
        cls, mapping: Mapping[str, str | None], server_fields: Mapping[str, Mapping[str, object]]
    ) -> tuple[FieldMap, list[FieldProblem]]:
        """Match the mapping to the server's fields; problems name each unusable one."""
        fields: dict[str, MappedField] = {}
        problems: list[FieldProblem] = []
        for logical, odoo in mapping.items():
            allowed = LOGICAL_FIELDS[logical][1]
            if odoo is None:
                if logical in REQUIRED_FIELDS:
                    problems.append(FieldProblem(logical, None, "is required and cannot be null"))
                continue
            info = server_fields.get(odoo)
            if info is None:
                problems.append(
                    FieldProblem(
                        logical, odoo, f"crm.lead has no field {odoo!r}; " + _hint(logical)
                    )
                )
                continue
            kind = str(info.get("type"))
            if kind not in allowed:
                problems.append(
                    FieldProblem(
                        logical,
                        odoo,
                        f"crm.lead.{odoo} is a {kind} field; {logical} needs "
                        f"{' or '.join(sorted(allowed))}",
                    )
                )
                continue
            relation = info.get("relation")
            fields[logical] = MappedField(logical, odoo, kind, str(relation) if relation else None)
        return cls(fields), problems

    def get(self, logical: str) -> MappedField | None:
        return self._fields.get(logical)

    def __getitem__(self, logical: str) -> MappedField:
        return self._fields[logical]

    def __contains__(self, logical: object) -> bool:
        return logical in self._fields

    def odoo_names(self) -> list[str]:
        """The crm.lead fields to read for a `Lead`."""
        return sorted({f.odoo for f in self._fields.values()})

    def named(self) -> list[MappedField]:
        """The mapped fields whose values are record names (`MappedField.by_name`)."""
        unique = {f.odoo: f for f in self._fields.values() if f.by_name}
        return list(unique.values())

    def items(self) -> list[tuple[str, MappedField]]:
        return list(self._fields.items())


_HINTS = {
    "status": "map it with crm.field_mapping.status (e.g. stage_id on a stock Odoo)",
    "source_date": "map it with crm.field_mapping.source_date (e.g. create_date)",
    "open_user_id": "set crm.field_mapping.open_user_id: null and leave it out of "
    "distribution.owner_fields",
    "closer_id": "set crm.field_mapping.closer_id: null and leave it out of "
    "distribution.owner_fields",
}


def _hint(logical: str) -> str:
    return _HINTS.get(logical, f"map it with crm.field_mapping.{logical} or set it to null")
