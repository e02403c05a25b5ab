"""Why a lead did or did not move: a stable reason code and a sentence (the exclusion ledger).

The codes are part of odlm's interface — the ledger's ``reason_code`` column,
`odlm explain` — and do not change between versions; docs/history.md lists them.
The sentence comes from the rule that decided (`LeadFilter.why`), so it is
the same decision the report counts under the rule's name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

# The rule a dropped-back lead with no user for its campaign fails.
NO_DROPBACK_USER = "Dropback: no user for its campaign"
# Rule name (as the report counts it) -> reason code.
REASON_CODES: dict[str, str] = {
    "Date range": "outside_window",
    "Status not selected": "status_not_selected",
    "Owner or status not selected": "owner_or_status_not_selected",
    "Held by an excluded user": "held_by_excluded_user",
    "Activity deadline protection": "activity_deadline_protected",
    "Web source not matched": "web_source_not_matched",
    "Lead campaign not matched": "campaign_not_matched",
    "DNC (Do Not Call) status": "dnc_status",
    "DNC (Do Not Call) tag": "dnc_tag",
    "Has an excluded tag": "excluded_tag",
    "Lacks an included tag": "lacks_included_tag",
    "Missing required fields": "missing_required_field",
    "Priority out of range": "priority_out_of_range",
    "Already assigned": "already_assigned",
    "Held by an archived user": "held_by_archived_user",
    "Closed (won or lost)": "closed",
    "Dated on a weekend or holiday": "weekend_or_holiday",
    "Sales filter (has opportunities)": "has_opportunity",
    "Moved today by another campaign": "moved_today_elsewhere",
    NO_DROPBACK_USER: "dropback_no_user",
}
# Dropback criteria are named "Dropback: <what>"; they share one code.
DROPBACK_CRITERIA = "dropback_criteria"
# A lead that passed every rule and that the strategy did not hand out.
NOT_DISTRIBUTED = "not_distributed"
# Leads that moved.
DISTRIBUTED = "distributed"
DROPPED_BACK = "dropped_back"
# Outside what the run fetched (the window, or a rule the CRM applied): `odlm explain`.
NOT_FETCHED = "not_fetched"
# Not in the CRM when the run took its snapshot: created since, or no such lead at all.
CREATED_AFTER = "created_after_run"
NO_SUCH_LEAD = "no_such_lead"
# Written by the run, or left as it was when applying (see `odlm explain`).
CODES = (
    *REASON_CODES.values(),
    DROPBACK_CRITERIA,
    NOT_DISTRIBUTED,
    DISTRIBUTED,
    DROPPED_BACK,
    NOT_FETCHED,
    CREATED_AFTER,
    NO_SUCH_LEAD,
)


def reason_code(rule: str) -> str:
    """The code of a rule named as the report names it; strategy reasons are
    ``not_distributed``."""
    if rule in REASON_CODES:
        return REASON_CODES[rule]
    if rule.startswith("Dropback: "):
        return DROPBACK_CRITERIA
    if rule.startswith("not distributed"):
        return NOT_DISTRIBUTED
    raise KeyError(f"no reason code for the rule {rule!r}")


NO_VALUE = "(none)"


def tally(values: Any) -> dict[str, int]:
    """Counts of each value (None as \"(none)\"), largest first."""
    counts = Counter(value or NO_VALUE for value in values)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# Keys of the leads left undistributed that are not a strategy's reason (`history_figures`).
LEFT_ALONE = "left alone when writing"


REFUSED = "refused by the CRM"


UNACCOUNTED = "not accounted for"
