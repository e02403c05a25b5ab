"""What odlm says differently to each Odoo version: field and method names.

Chosen once per connection from the server's major version (see
``connect.py``), so the store never tests versions itself. Only the names
odlm actually sends differ; everything else is spelt alike on 17 and 19
(observed on real Odoo 17 and 19 servers):

* ``res.users``: the groups a user holds, implied ones included, are
  ``groups_id`` up to 18 (Odoo adds implied groups to it on every write) and
  ``all_group_ids`` from 19 on, where ``group_ids`` keeps only the groups set
  explicitly (an administrator holds "Sales / Administrator" there, not the
  "Own Documents Only" group that sales rights are tested against).
* grouped counts: ``read_group`` up to 18; ``formatted_read_group`` from 19
  on, where ``read_group`` still answers but is deprecated (a server warning
  per call) and due to go.

* ``crm.team.member``: 19 adds ``assignment_domain_preferred`` ("Lead
  Priority Filter"), read from 19 on only; the other assignment fields are
  the same on both.

``crm.team`` (``member_ids`` and the assignment fields), ``crm.tag``,
``utm.source``, ``ir.model.data``, ``ir.cron`` and ``ir.config_parameter``
are read with the same names on both. ``res.groups`` and ``crm.stage``,
whose fields 19 renamed (``users``, ``category_id``, ``team_id``), are never
read by name: stages reach odlm as the display name of ``crm.lead.stage_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# The first major version with Odoo 19's names.
RENAMED_IN = 19

TEAM_FIELDS = ("id", "name", "active", "member_ids")
BASE_USER_FIELDS = ("id", "name", "login", "active", "sale_team_id", "share")


@dataclass(frozen=True)
class Dialect:
    """Names of one Odoo generation; ``version`` is the generation (17 or 19), ``major``
    the server's own major version (18 speaks 17's names), for what odlm tells users."""

    version: int
    user_groups: str
    grouping: str
    major: int = field(default=0, compare=False)

    @property
    def member_fields(self) -> tuple[str, ...]:
        """The crm.team.member fields a `TeamMember` is made of: 19 adds the preferred
        domain ("Lead Priority Filter"), which no earlier version has."""
        base = ("crm_team_id", "user_id", "assignment_max", "assignment_optout")
        preferred = ("assignment_domain_preferred",) if self.version >= RENAMED_IN else ()
        return (*base, "assignment_domain", *preferred)

    @property
    def user_fields(self) -> list[str]:
        """The res.users fields a `User` is made of."""
        return [*BASE_USER_FIELDS, self.user_groups]

    @property
    def formatted_grouping(self) -> bool:
        """Whether grouped counts take 19's ``formatted_read_group`` arguments and answers."""
        return self.grouping == "formatted_read_group"


ODOO_17 = Dialect(version=17, user_groups="groups_id", grouping="read_group", major=17)
ODOO_19 = Dialect(
    version=19, user_groups="all_group_ids", grouping="formatted_read_group", major=19
)


def dialect_for(version_major: int) -> Dialect:
    """The names a server of this major version understands (18 still speaks 17's)."""
    return replace(ODOO_19 if version_major >= RENAMED_IN else ODOO_17, major=version_major)
