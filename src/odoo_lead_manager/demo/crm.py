"""A deterministic, realistic demo CRM and the files that go with it.

The data imitates what the legacy R pipeline meets every morning: two
salesperson campaigns (Voice and Apple), salespeople who left (inactive in
the campaign table, or archived in the CRM), users the pipeline excludes,
messy status spellings, Do-Not-Call leads, tags, activity deadlines, and
partners that already have an opportunity. The same seed and date always
give the same files.

A demo larger than the standard 4,000 leads keeps its shape: the share of
each status, source and age is the same, and more leads bring more
salespeople (and partners), so that each salesperson holds about as many
leads as in the standard demo.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate, islice
from pathlib import Path
from typing import Generic, TypeVar

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.size import LEAD_COUNT, LEADS_PER_SALESPERSON, MAX_LEADS
from odoo_lead_manager.domain.model import Lead, Team, User

T = TypeVar("T")

DEMO_SEED = 20240115
DAYS = 200
PARTNER_COUNT = 1500
# Partners 1..OPPORTUNITY_PARTNERS are the ones that already bought.
OPPORTUNITY_PARTNERS = 150
# Leads written per transaction: a larger demo is built in bounded memory, and its
# progress moves as each batch is written.
BATCH = 10_000

TEAMS = (Team(1, "Voice"), Team(2, "Apple"), Team(3, "Sales"))


@dataclass(frozen=True)
class DemoPerson:
    """A demo CRM user and, for salespeople, their campaign-table row."""

    id: int
    name: str
    login: str
    team_id: int | None
    campaign: str | None = None
    table_active: bool = True
    user_active: bool = True
    level: str | None = None
    target_leads: int | None = None


PEOPLE = (
    DemoPerson(1, "Administrator", "admin", None, "Voice"),
    DemoPerson(2, "Drew Cox", "drew.cox", 1, "Voice"),
    DemoPerson(3, "Patrick Adler", "patrick.adler", 1, "Voice"),
    DemoPerson(4, "Marc Spiegel", "marc.spiegel", 2, "Voice"),
    DemoPerson(5, "Pat Adler", "pat.adler", 1),
    DemoPerson(6, "Kevin Levonas", "kevin.levonas", 2),
    DemoPerson(10, "Alice Smith", "alice.smith", 1, "Voice", level="senior", target_leads=400),
    DemoPerson(11, "Bob Johnson", "bob.johnson", 1, "Voice", level="senior", target_leads=400),
    DemoPerson(
        12, "Carol Williams", "carol.williams", 1, "Voice", level="mid_level", target_leads=350
    ),
    DemoPerson(13, "Dave Brown", "dave.brown", 1, "Voice", level="junior", target_leads=300),
    DemoPerson(
        14,
        "Eve Davis",
        "eve.davis",
        1,
        "Voice",
        table_active=False,
        level="junior",
        target_leads=300,
    ),
    DemoPerson(
        15,
        "Frank Miller",
        "frank.miller",
        1,
        "Voice",
        user_active=False,
        level="mid_level",
        target_leads=350,
    ),
    DemoPerson(20, "Gina Wilson", "gina.wilson", 2, "Apple", level="senior", target_leads=400),
    DemoPerson(21, "Henry Jones", "henry.jones", 2, "Apple", level="mid_level", target_leads=350),
    DemoPerson(22, "Irene Clark", "irene.clark", 2, "Apple", level="junior", target_leads=300),
    DemoPerson(
        23,
        "Jack Lewis",
        "jack.lewis",
        2,
        "Apple",
        table_active=False,
        level="junior",
        target_leads=300,
    ),
)

# (owner id or None, weight): most leads sit with campaign salespeople.
OWNERS: tuple[tuple[int | None, int], ...] = (
    (10, 9), (11, 9), (12, 9), (13, 8), (14, 6), (15, 6),
    (20, 7), (21, 7), (22, 6), (23, 5),
    (1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (6, 2),
    (None, 14),
)  # fmt: skip

# The spellings found in the real CRM, trailing blank included.
STATUSES: tuple[tuple[str | None, int], ...] = (
    ("New", 16), ("Utr", 20), ("Call Back", 17), ("call_back", 4), ("Call back", 3),
    ("Full Pitch Follow Up", 8), ("Full Pitch Follow Up ", 4), ("Won", 5), ("Lost", 6),
    ("Do Not Call", 4), ("Sold", 3), (None, 10),
)  # fmt: skip

WEB_SOURCES = ("Website", "Facebook Ads", "Google Ads", "Landing Page")
OTHER_SOURCES = ("Referral", "Trade Show", "Cold Call")
LEAD_CAMPAIGNS: tuple[tuple[str | None, int], ...] = (
    ("Voice", 45), ("Apple", 35), ("Spring Promo", 10), (None, 10),
)  # fmt: skip
TAGS = ("DNC", "VIP", "Callback Requested", "Web")
FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "James",
    "Katie", "Liam", "Mia", "Noah", "Olivia", "Paul", "Ruby", "Sam", "Tara", "Will",
)  # fmt: skip
LAST_NAMES = (
    "Baker", "Carter", "Dixon", "Evans", "Fisher", "Green", "Hughes", "Jackson", "King",
    "Lewis", "Moore", "Nelson", "Owen", "Parker", "Reed", "Scott", "Turner", "Walker",
)  # fmt: skip


# The names of the salespeople a larger demo takes on (no surname of the people above):
# 2,500 pairs, one for each salesperson of the largest demo.
STAFF_FIRST_NAMES = (
    "Aaron", "Abigail", "Adam", "Adrian", "Amelia", "Andrew", "Beatrice", "Caleb", "Caroline",
    "Charlotte", "Connor", "Daisy", "Diana", "Edward", "Eleanor", "Elena", "Ethan", "Fiona",
    "Gabriel", "George", "Hannah", "Harriet", "Ian", "Imogen", "Isaac", "Jasmine", "Julia",
    "Karen", "Laura", "Leo", "Lucy", "Martin", "Megan", "Nathan", "Nina", "Oliver", "Oscar",
    "Peter", "Philippa", "Rachel", "Robert", "Rose", "Simon", "Sophie", "Thomas", "Victoria",
    "Vincent", "Wendy", "Xavier", "Zoe",
)  # fmt: skip
STAFF_LAST_NAMES = (
    "Abbott", "Armstrong", "Bailey", "Barnes", "Bell", "Bennett", "Brooks", "Butler",
    "Campbell", "Chapman", "Collins", "Cooper", "Crawford", "Day", "Edwards", "Ellis",
    "Ferguson", "Fletcher", "Foster", "Graham", "Grant", "Hall", "Harper", "Hart", "Holmes",
    "Howard", "Hunt", "Irving", "James", "Kelly", "Kennedy", "Knight", "Lambert", "Marshall",
    "Mason", "Mitchell", "Morgan", "Murray", "Palmer", "Pearce", "Porter", "Quinn", "Richards",
    "Russell", "Shaw", "Stevens", "Taylor", "Thompson", "Ward", "Young",
)  # fmt: skip
# The standard demo's campaign salespeople, in order: each salesperson a larger demo takes
# on copies one of them (campaign, team, level, leaving), so every ten keep the same mix of
# Voice and Apple, seniority, and people who left.
ROSTER = tuple(p for p in PEOPLE if p.level is not None)
FIRST_STAFF_ID = 100


@dataclass(frozen=True)
class DemoCast:
    """Who is in a demo of a given size: its users, who owns its leads, its partners."""

    people: tuple[DemoPerson, ...]
    owners: tuple[tuple[int | None, float], ...]
    partners: int
    opportunity_partners: int


def demo_cast(leads: int) -> DemoCast:
    """The standard demo's people for up to its 4,000 leads; beyond, one more campaign
    salesperson (and their share of leads) per 400 leads, and partners in proportion."""
    if leads <= LEAD_COUNT:
        return DemoCast(PEOPLE, OWNERS, PARTNER_COUNT, OPPORTUNITY_PARTNERS)
    hired = tuple(_hire(i) for i in range(round(leads / LEADS_PER_SALESPERSON) - len(ROSTER)))
    # Leads nobody in a campaign owns (unassigned, admin, excluded users) keep their share.
    scale = (len(ROSTER) + len(hired)) / len(ROSTER)
    salespeople = {p.id for p in ROSTER}
    weight = dict(OWNERS)
    owners = tuple(
        (owner, float(w) if owner in salespeople else w * scale) for owner, w in OWNERS
    ) + tuple((p.id, float(weight[ROSTER[i % len(ROSTER)].id])) for i, p in enumerate(hired))
    return DemoCast(
        people=PEOPLE + hired,
        owners=owners,
        partners=round(PARTNER_COUNT * leads / LEAD_COUNT),
        opportunity_partners=round(OPPORTUNITY_PARTNERS * leads / LEAD_COUNT),
    )


def _hire(index: int) -> DemoPerson:
    """The ``index``-th salesperson a larger demo takes on, modelled on a standard one."""
    model = ROSTER[index % len(ROSTER)]
    block, slot = divmod(index, len(STAFF_FIRST_NAMES))
    # Stepping the surname by a number prime to the list's length gives each of the
    # 2,500 salespeople their own name.
    first = STAFF_FIRST_NAMES[slot]
    last = STAFF_LAST_NAMES[(slot + 13 * block) % len(STAFF_LAST_NAMES)]
    return DemoPerson(
        FIRST_STAFF_ID + index,
        f"{first} {last}",
        f"{first}.{last}".lower(),
        model.team_id,
        model.campaign,
        table_active=model.table_active,
        user_active=model.user_active,
        level=model.level,
        target_leads=model.target_leads,
    )


@dataclass(frozen=True)
class DemoFiles:
    """What `create_demo` wrote."""

    crm_path: Path
    campaign_csv: Path
    salespeople_txt: Path
    web_sources_txt: Path
    counts: Mapping[str, int]


def create_demo(
    directory: Path,
    today: date | None = None,
    seed: int = DEMO_SEED,
    overwrite: bool = False,
    leads: int = LEAD_COUNT,
    progress: Callable[[int], None] | None = None,
) -> DemoFiles:
    """Write the demo CRM store and its campaign, salespeople and web-source files.

    ``leads`` leads and opportunities (1 to `MAX_LEADS`); ``progress`` is told how many
    more are written after each batch.
    """
    if not 1 <= leads <= MAX_LEADS:
        raise ValueError(f"a demo holds 1 to {MAX_LEADS:,} leads, not {leads:,}")
    today = today or date.today()
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cast = demo_cast(leads)
    crm_path = directory / "crm.sqlite"
    opportunities = 0
    bought: set[int | None] = set()
    with LocalStore.create(crm_path, overwrite=overwrite) as store:
        store.add_teams(TEAMS)
        store.add_users(
            User(p.id, p.name, p.login, active=p.user_active, team_id=p.team_id)
            for p in cast.people
        )
        store.add_partners((i, f"{_company(i)}") for i in range(1, cast.partners + 1))
        generated = demo_leads(rng, today, cast, leads)
        while batch := list(islice(generated, BATCH)):
            store.add_leads(batch)
            chosen = [x.partner_id for x in batch if x.type == "opportunity"]
            opportunities += len(chosen)
            bought.update(chosen)
            if progress is not None:
                progress(len(batch))
    return DemoFiles(
        crm_path=crm_path,
        campaign_csv=_write_campaign_table(directory / "salesperson_campaigns.csv", cast.people),
        salespeople_txt=_write_salespeople(directory / "salespeople.txt", cast.people),
        web_sources_txt=_write_web_sources(directory / "web_sources.txt"),
        counts={
            "users": len(cast.people),
            "teams": len(TEAMS),
            "partners": cast.partners,
            "leads": leads - opportunities,
            "opportunities": opportunities,
            "partners_with_opportunities": len(bought),
        },
    )


class _Weighted(Generic[T]):
    """A weighted choice whose cumulative weights are summed once, not at every draw: it
    draws exactly what `_weighted` draws from the same generator."""

    def __init__(self, choices: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in choices]
        self.cumulative = list(accumulate(weight for _, weight in choices))

    def __call__(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


def demo_leads(
    rng: random.Random, today: date, cast: DemoCast | None = None, count: int = LEAD_COUNT
) -> Iterator[Lead]:
    """The demo's leads and opportunities, dated up to ``today``, one by one."""
    cast = cast or demo_cast(count)
    teams = {p.id: p.team_id for p in cast.people}
    owners = _Weighted(cast.owners)
    statuses = _Weighted(STATUSES)
    campaigns = _Weighted(LEAD_CAMPAIGNS)
    priorities = _Weighted(((0, 50), (1, 30), (2, 15), (3, 5)))
    latest_write = datetime.combine(today, time(6, 0))
    for lead_id in range(1, count + 1):
        opportunity = rng.random() < 0.10
        # A third of the leads are recent, as in a CRM fed daily by web forms.
        age = rng.randint(0, 30) if rng.random() < 0.35 else rng.randint(0, DAYS)
        source_date = today - timedelta(days=age)
        created = datetime.combine(source_date, time(rng.randint(7, 19), rng.randint(0, 59)))
        written = created + timedelta(days=rng.randint(0, age), minutes=rng.randint(0, 600))
        owner = owners(rng)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        partner = (
            rng.randint(1, cast.opportunity_partners)
            if opportunity
            else (rng.randint(1, cast.partners) if rng.random() < 0.8 else None)
        )
        status = statuses(rng)
        tags = _tags(rng, status)
        yield Lead(
            id=lead_id,
            name=f"{first} {last} - {_company(partner) if partner else 'private'}",
            type="opportunity" if opportunity else "lead",
            active=rng.random() >= 0.02,
            status=status,
            stage=rng.choice(("Qualified", "Proposition", "Won")) if opportunity else "New",
            source_date=source_date,
            create_date=created,
            write_date=min(written, latest_write),
            user_id=owner,
            open_user_id=owner if rng.random() < 0.9 else None,
            closer_id=owner if rng.random() < 0.5 else None,
            team_id=teams.get(owner) if owner is not None else None,
            source=_source(rng),
            campaign=campaigns(rng),
            tags=tags,
            partner_id=partner,
            email=f"{first}.{last}{lead_id}@example.com".lower() if rng.random() < 0.9 else None,
            phone=f"+44 20 7{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            if rng.random() < 0.85
            else None,
            priority=priorities(rng),
            activity_date_deadline=today + timedelta(days=rng.randint(-20, 10))
            if rng.random() < 0.4
            else None,
        )


def _weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    return rng.choices([value for value, _ in choices], weights=[w for _, w in choices])[0]


def _source(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(WEB_SOURCES)
    if roll < 0.9:
        return rng.choice(OTHER_SOURCES)
    return None


def _tags(rng: random.Random, status: str | None) -> tuple[str, ...]:
    if status == "Do Not Call":
        return ("DNC",)
    if rng.random() < 0.15:
        return tuple(sorted(set(rng.sample(TAGS, rng.randint(1, 2)))))
    return ()


def _company(partner_id: int) -> str:
    return f"{LAST_NAMES[partner_id % len(LAST_NAMES)]} & Co {partner_id}"


def _write_campaign_table(path: Path, people: Sequence[DemoPerson]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["salesperson_name", "campaign_name", "active", "team", "level", "target_leads"]
        )
        for person in people:
            if person.campaign is None:
                continue
            team = next((t.name for t in TEAMS if t.id == person.team_id), "")
            writer.writerow(
                [
                    person.name,
                    person.campaign,
                    "true" if person.table_active else "false",
                    team,
                    person.level or "",
                    person.target_leads if person.target_leads is not None else "",
                ]
            )
    return path


def _write_salespeople(path: Path, people: Sequence[DemoPerson]) -> Path:
    lines = ["# Salesperson list - one per line", "# Format: name|id|level|target_leads"]
    lines += [
        f"{p.name}|{p.id}|{p.level}|{p.target_leads}"
        for p in people
        if p.level is not None and p.table_active and p.user_active
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_web_sources(path: Path) -> Path:
    lines = ["# Web source names - one per line", *WEB_SOURCES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
