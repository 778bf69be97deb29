"""Demo data: a deterministic simulation of the chain, recorded through the application.

Each donated computer follows the lifecycle day by day (intake at the ESAT, triage, wipe,
dismantling or reconditioning at the insertion workshop, loans at third places, returns,
write-offs, a few corrections). Steps are recorded in the order they would be typed, with a
simulated clock, so recording times and the event log look like a real year of work.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from tracker import commands as cmd
from tracker import demo_catalogue as cat
from tracker.application import Inventory
from tracker.demo_directory import register_directory
from tracker.demo_people import DemoPeople
from tracker.domain.lifecycle import State
from tracker.domain.vocabulary import Check
from tracker.register import Register

AVERAGE_BATCH = 14


@dataclass
class SimulatedClock:
    """The Inventory's clock during the simulation: moved forward step by step."""

    now: datetime
    day: date | None = None  # the day of the step being typed (some are typed days later)

    def __call__(self) -> datetime:
        return self.now

    def today(self) -> date:
        """The day the step being typed happened: the date the register gives a new person."""
        return self.day or self.now.date()


@dataclass(frozen=True)
class DemoSummary:
    """What the simulation recorded, with one example tag per state to look at."""

    batches: int
    computers: int
    events: Counter[str]
    first_day: date
    last_day: date
    examples: dict[State, str] = field(default_factory=dict)
    people: int = 0  # registered at the third places (when the run was given the register)


class DemoRun:
    """One simulation; `run()` records everything up to `until` and returns a summary."""

    def __init__(
        self,
        inventory: Inventory,
        clock: SimulatedClock,
        *,
        seed: int,
        years: int,
        until: datetime,
        chains: Sequence[cat.Chain] = (cat.DEMO,),
        bulk: bool = False,
        register: Register | None = None,
    ) -> None:
        """A simulation of `years` up to `until`, the same for the same `seed`.

        `register`: where each borrower is registered before their loan (codes drawn with the
        run's seeded generator); without it, loans carry made-up codes.
        """
        self.inventory = inventory
        self.chains = tuple(chains)
        self.bulk = bulk
        self.staff = {site.code: site.staff for chain in chains for site in chain.sites}
        self.chain: dict[str, cat.Chain] = {}
        self.labels: set[str] = set()
        self.clock = clock
        self.rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not secrets)
        self.zone: ZoneInfo = inventory.zone
        self.until = until
        last_day = until.astimezone(self.zone).date()
        self.first_day = date(last_day.year - years + 1, 1, 1)
        self.last_day = last_day
        self.queue: list[tuple[datetime, int, date, Callable[[date], None]]] = []
        self.order = itertools.count()
        self.version: dict[str, int] = {}
        self.state: dict[str, State] = {}
        self.site: dict[str, str] = {}
        self.device: dict[str, str] = {}
        self.counters: Counter[str] = Counter()
        self.batches = 0
        self.people = DemoPeople(register, self.rng) if register is not None else None
        self.borrower: dict[str, str] = {}  # tag -> code of the person it is lent to

    # -- the simulation loop -------------------------------------------------------------

    def run(self, *, directory: bool = True) -> DemoSummary:
        """Record the directory (unless already done), then the simulated years."""
        if directory:
            self.register_directory()
        with self.inventory.batched() if self.bulk else nullcontext():
            self.simulate()
        examples: dict[State, str] = {}
        for tag in sorted(self.state):
            examples.setdefault(self.state[tag], tag)
        people = self.people.registered if self.people else 0
        return DemoSummary(self.batches, len(self.state), self.counters, self.first_day,
                           self.last_day, examples, people)  # fmt: skip

    def register_directory(self) -> int:
        """Record the programmes, sites, donors, accounts and funders of the chains."""
        years = (self.first_day.year, self.last_day.year)
        return register_directory(self.inventory, years, self.chains)

    def simulate(self) -> None:
        """Plan each chain's intakes day by day, then run every step in the order it is typed."""
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() < 5:  # Monday to Friday
                for chain in self.chains:
                    expected = chain.units_per_year / 250 * cat.SEASON[day.month - 1]
                    if self.rng.random() < expected / AVERAGE_BATCH:
                        self.at(day, partial(self.intake, chain))
            day += timedelta(days=1)
        while self.queue:
            moment, _, day, action = heapq.heappop(self.queue)
            self.clock.now, self.clock.day = max(self.clock.now, moment), day
            action(day)

    def at(self, day: date, action: Callable[[date], None]) -> None:
        """Schedule an action for a business day, typed in during working hours."""
        minutes = self.rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), self.zone)
        if self.rng.random() < 0.05:  # some steps are typed in days later
            local += timedelta(days=self.rng.randint(1, 4))
        moment = max(local.astimezone(UTC), self.clock.now + timedelta(minutes=1))
        if moment <= self.until:
            heapq.heappush(self.queue, (moment, next(self.order), day, action))

    def later(self, day: date, low: int, high: int) -> date:
        """A working day between `low` and `high` working days after `day`."""
        remaining = self.rng.randint(low, high)
        while remaining > 0 or day.weekday() >= 5:
            day += timedelta(days=1)
            if day.weekday() < 5:
                remaining -= 1
        return day

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def step(
        self, command_class: type[cmd.StepCommand], tag: str, day: date, **fields: Any
    ) -> None:
        site = self.site[tag]
        staff = self.staff[site]
        command = command_class(
            command_id=self.uuid(), tag=tag, seen_version=self.version[tag],
            actor=self.rng.choice(staff), site=site, occurred_on=day, **fields,
        )  # fmt: skip
        result = self.inventory.record(command)
        self.version[tag] = result.version
        self.state[tag] = result.state
        self.counters[command.event_name] += 1

    # -- the chain, one method per step --------------------------------------------------

    def intake(self, chain: cat.Chain, day: date) -> None:
        size = max(1, min(60, round(self.rng.expovariate(1 / AVERAGE_BATCH))))
        donor = self.rng.choice(chain.donors)
        models = self.rng.choices(cat.MODELS, weights=[m[3] for m in cat.MODELS], k=size)
        labelled = self.rng.random() < 0.05  # a few donors label their assets
        units = tuple(
            cmd.DonatedUnit(
                device_type=kind, brand=brand, model=model, serial=self.serial(brand),
                tag=self.donor_label(chain) if labelled else "",
            )
            for kind, brand, model, _ in models
        )  # fmt: skip
        result = self.inventory.register_donation(
            cmd.RegisterDonation(
                command_id=self.uuid(), actor=self.rng.choice(chain.esat.staff),
                site=chain.esat.code, programme=chain.programme, donor=donor, received_on=day,
                units=units,
            )
        )  # fmt: skip
        self.batches += 1
        self.counters["Donated"] += len(result.tags)
        for tag, unit in zip(result.tags, units, strict=True):
            self.version[tag], self.state[tag] = 1, State.AWAITING_TRIAGE
            self.site[tag], self.device[tag] = chain.esat.code, unit.device_type
            self.chain[tag] = chain
            if self.rng.random() < 0.003:
                self.at(self.later(day, 1, 3), partial(self.write_off_error, tag))
            else:
                self.at(self.later(day, 2, 20), partial(self.triage, tag))

    def donor_label(self, chain: cat.Chain) -> str:
        """A donor's own asset label, unique in the simulation."""
        while True:
            label = f"{chain.label_prefix}-{self.rng.randrange(10**6):06d}"
            if label not in self.labels:
                self.labels.add(label)
                return label

    def serial(self, brand: str) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        body = "".join(self.rng.choice(alphabet) for _ in range(7))
        return {"HP": "5CG", "Lenovo": "PF"}.get(brand, "") + body

    def write_off_error(self, tag: str, day: date) -> None:
        self.step(cmd.WriteOff, tag, day, reason="registered_in_error",
                  note="Enregistré deux fois par erreur")  # fmt: skip

    def triage(self, tag: str, day: date) -> None:
        recondition = self.rng.random() < cat.RECONDITION_SHARE
        grade = self.rng.choice("AABBBC") if recondition else self.rng.choice("CDD")
        checks = {str(c): "ok" for c in Check}
        if not recondition:
            checks[self.rng.choice([str(c) for c in Check])] = "faulty"
        if self.device[tag] in ("desktop", "mini_pc"):
            checks["battery"] = checks["keyboard"] = checks["screen"] = "absent"
        outcome = "recondition" if recondition else "dismantle"
        self.step(cmd.Triage, tag, day, checks=checks, grade=grade, outcome=outcome)
        if self.rng.random() < 0.02:  # a mistyped grade, corrected
            self.at(day, partial(self.correct_grade, tag, self.version[tag], recondition))
        self.at(self.later(day, 0, 3), partial(self.wipe, tag, recondition))

    def correct_grade(self, tag: str, triaged: int, recondition: bool, day: date) -> None:
        new_grade = "B" if recondition else "D"
        self.step(cmd.CorrectDetails, tag, day, version=triaged,
                  reason="Erreur de saisie de la note", changes={"grade": new_grade})  # fmt: skip

    def wipe(self, tag: str, recondition: bool, day: date, *, retry: bool = False) -> None:
        number = f"EFF-{day.year}-{self.counters['DataWipeRecorded'] + 1:05d}"
        if not recondition:
            self.step(cmd.RecordDataWipe, tag, day, method="drive_destroyed", result="success",
                      standard="NIST SP 800-88 Destroy", certificate_reference=number)  # fmt: skip
            self.at(self.later(day, 3, 25), partial(self.dismantle, tag))
            return
        failed = not retry and self.rng.random() < 0.03
        tool, standard = self.rng.choice(cat.WIPE_TOOLS)
        self.step(cmd.RecordDataWipe, tag, day, method="software_overwrite", tool=tool,
                  standard=standard, result="failure" if failed else "success",
                  certificate_reference="" if failed else number)  # fmt: skip
        if failed:
            self.at(self.later(day, 1, 2), partial(self.wipe, tag, recondition, retry=True))
        else:
            self.at(
                self.later(day, 1, 8), partial(self.transfer, tag, self.chain[tag].workshop.code)
            )

    def dismantle(self, tag: str, day: date) -> None:
        factor = Decimal(self.rng.randint(85, 115)) / 100
        materials = {k: (Decimal(v) * factor).quantize(Decimal("0.01"))
                     for k, v in cat.MATERIALS_KG[self.device[tag]].items()}  # fmt: skip
        components = [{"kind": "ram", "count": self.rng.randint(1, 2), "reusable": True}]
        if self.device[tag] in ("laptop", "tablet"):
            reusable = self.rng.random() < 0.4
            components.append({"kind": "battery", "count": 1, "reusable": reusable})
        else:
            components.append({"kind": "power_supply", "count": 1, "reusable": True})
        slip = f"BSD-{day.year}-{self.counters['Dismantled'] // 20 + 1:04d}"
        self.step(cmd.Dismantle, tag, day, components=components, materials_kg=materials,
                  outlet=self.rng.choice(cat.OUTLETS), waste_slip_reference=slip)  # fmt: skip

    def transfer(self, tag: str, to_site: str, day: date) -> None:
        self.step(cmd.Transfer, tag, day, to_site=to_site)
        self.site[tag] = to_site
        if to_site == self.chain[tag].workshop.code:
            self.at(self.later(day, 3, 25), partial(self.recondition, tag))
        elif to_site == self.chain[tag].esat.code:
            self.at(self.later(day, 2, 10), partial(self.triage, tag))
        else:
            self.at(self.later(day, 2, 40), partial(self.loan, tag))

    def recondition(self, tag: str, day: date) -> None:
        work = ["cleaning", "os_installed"]
        parts: list[str] = []
        if self.rng.random() < 0.3:
            work.append("repair")
        if self.rng.random() < 0.25:
            work.append("parts_replaced")
            parts.append(self.rng.choice(cat.PARTS))
        if self.rng.random() < 0.6:
            work.append("software_setup")
        os_name = self.rng.choices(cat.OPERATING_SYSTEMS, weights=(40, 25, 15, 20))[0]
        hours = Decimal(self.rng.randint(3, 12)) / 2
        fields = {"work_done": work, "parts_used": parts, "operating_system": os_name,
                  "quality_check_passed": True, "hours_of_work": hours,
                  "final_grade": self.rng.choice("AABBC")}  # fmt: skip
        self.step(cmd.Recondition, tag, day, **fields)
        if self.rng.random() < 0.01:  # recorded on the wrong unit, undone
            self.step(cmd.CancelStep, tag, day, version=self.version[tag],
                      reason="Saisi sur le mauvais ordinateur")  # fmt: skip
            self.at(self.later(day, 1, 2), partial(self.recondition, tag))
            return
        place = self.rng.choice(self.chain[tag].third_places).code
        self.at(self.later(day, 2, 12), partial(self.transfer, tag, place))

    def loan(self, tag: str, day: date) -> None:
        end = two_years_after(day)
        method = self.rng.choices(("cash", "card", "cheque", "waived"), weights=(45, 35, 10, 10))[0]
        code = self.beneficiary(tag)
        receipt = f"R{day:%y}-{self.counters['Loaned'] + 1:05d}"
        self.step(cmd.Loan, tag, day, beneficiary_code=code, agreement_start=day,
                  agreement_end=end, contribution_method=method,
                  contribution_eur=Decimal(0) if method == "waived" else cat.CONTRIBUTION,
                  receipt_number="" if method == "waived" else receipt)  # fmt: skip
        fate = self.rng.random()
        if fate < 0.08:
            self.at(self.later(day, 20, 300), partial(self.take_back, tag, None))
        elif fate < 0.09:
            self.at(self.later(day, 40, 250), partial(self.lose, tag))
        else:
            self.at(end, partial(self.end_of_agreement, tag))

    def beneficiary(self, tag: str) -> str:
        """The code of the person a computer is lent to (registered first, with a register)."""
        if self.people is None:
            code = "BN-" + "".join(self.rng.choice("ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(2))
            return code + f"{self.rng.randrange(10**4):04d}"
        place = self.site[tag]
        self.borrower[tag] = self.people.borrower(place, self.rng.choice(self.staff[place]))
        return self.borrower[tag]

    def end_of_agreement(self, tag: str, day: date) -> None:
        if self.rng.random() < 0.6:  # most beneficiaries keep their computer
            self.step(cmd.WriteOff, tag, day, reason="kept_by_beneficiary")
        else:
            self.take_back(tag, "end_of_agreement", day)

    def take_back(self, tag: str, reason: str | None, day: date) -> None:
        why = reason or self.rng.choices(("breakdown", "no_longer_needed", "other"), (5, 4, 1))[0]
        condition = "broken" if why == "breakdown" else self.rng.choice(("good", "good", "damaged"))
        self.step(cmd.TakeBack, tag, day, reason=why, condition=condition)
        if self.people is not None:
            self.people.returned(self.site[tag], self.borrower.pop(tag))
        self.at(self.later(day, 3, 15), partial(self.transfer, tag, self.chain[tag].esat.code))

    def lose(self, tag: str, day: date) -> None:
        reason = self.rng.choice(("lost", "stolen"))
        self.step(cmd.WriteOff, tag, day, reason=reason, note="Déclaré par le bénéficiaire")


def two_years_after(day: date) -> date:
    """The end of a two-year loan agreement (29 February ends on 28 February)."""
    return (
        day.replace(year=day.year + 2, day=28)
        if (day.month, day.day) == (2, 29)
        else (day.replace(year=day.year + 2))
    )
