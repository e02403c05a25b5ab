"""How many leads a demo holds: kept apart from the generator so that the command line can
check ``--leads`` without loading the CRM store."""

from __future__ import annotations

# The standard demo, which the tests and the README's first run are written against.
LEAD_COUNT = 4000
# A larger demo has a campaign salesperson per this many leads, as the standard one has
# ten for its 4,000.
LEADS_PER_SALESPERSON = 400
# A million leads take under a minute to build and about 300 MB of disk (measured in
# docs/performance.md); past that a demo stops being something to try odlm out on.
MAX_LEADS = 1_000_000
