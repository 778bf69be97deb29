"""The demo's beneficiaries: fake people registered at a third place just before their loan.

Their names, phones and e-mails are made up from the lists below; they go into the register
only (sealed, like real ones), and the loans record their codes. A few people whose computer
came back borrow another one later, under the same code.
"""

from __future__ import annotations

import random

from tracker.accounts import Account
from tracker.domain.beneficiary import PersonalDetails, folded
from tracker.domain.user import Role, User
from tracker.domain.vocabulary import BeneficiaryCategory as Public
from tracker.register import Register

GIVEN_NAMES = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Nadia", "Fatou",
    "Aïcha", "Léa", "Chloé", "Manon", "Maëlle", "Gwenaëlle", "Hélène", "Françoise", "Yasmina",
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Yann", "Erwan", "Loïc",
    "Karim", "Mamadou", "Thomas", "Kevin", "Dylan", "Mathis", "Jérôme", "Hervé", "Stéphane",
)  # fmt: skip
FAMILY_NAMES = (
    "Le Goff", "Le Gall", "Le Bihan", "Kerbrat", "Morvan", "Guillou", "Tanguy", "Le Roux",
    "Hamon", "Jaouen", "Quéré", "Le Floch", "Martin", "Bernard", "Petit", "Robert", "Richard",
    "Durand", "Dubois", "Moreau", "Lefèvre", "Rousseau", "Fontaine", "Chevalier", "Diallo",
    "Traoré", "Benali", "Haddad", "Nguyen", "Da Silva", "Pereira", "Kowalski", "Lemaître",
)  # fmt: skip
REFERRERS = ("CCAS", "France Travail", "Mission locale", "Centre social", "Cap emploi",
             "Assistante sociale du Département")  # fmt: skip
# How often a person handed a computer belongs to each public (several are possible).
PUBLIC_SHARES = (
    (Public.MINIMUM_INCOME, 0.45),
    (Public.JOBSEEKER, 0.30),
    (Public.PRIORITY_NEIGHBOURHOOD, 0.25),
    (Public.DISABILITY, 0.12),
)
YOUNG, SENIOR = 0.18, 0.15  # one or the other, never both
BORROWS_AGAIN = 0.10  # of the people whose computer came back
WITH_EMAIL = 0.35  # the others give a phone only


class DemoPeople:
    """Registers the demo's borrowers; codes and names come from the run's seeded generator."""

    def __init__(self, register: Register, rng: random.Random) -> None:
        self.rng = rng
        self.register = Register(register.database, register.sealer, clock=register.clock,
                                 today=register.today, pick=rng.choice)  # fmt: skip
        self.again: dict[str, list[str]] = {}  # third place -> codes of people coming back
        self.registered = 0

    def borrower(self, third_place: str, staff: str) -> str:
        """The code of the person a computer is lent to: someone back, or someone new."""
        waiting = self.again.get(third_place)
        if waiting:
            return waiting.pop(0)
        account = Account(User.id_for(staff), staff, staff,
                          frozenset({Role.WORKSHOP}), (third_place,), True, 1)  # fmt: skip
        person = self.register.register(account, third_place=third_place,
                                        details=self.details(), categories=self.publics(),
                                        consent=True)  # fmt: skip
        self.registered += 1
        return person.code

    def returned(self, third_place: str, code: str) -> None:
        """A computer came back: its borrower may come for another one some day."""
        if self.rng.random() < BORROWS_AGAIN:
            self.again.setdefault(third_place, []).append(code)

    def details(self) -> PersonalDetails:
        given, family = self.rng.choice(GIVEN_NAMES), self.rng.choice(FAMILY_NAMES)
        digits = " ".join(f"{self.rng.randrange(100):02d}" for _ in range(4))
        email = ""
        if self.rng.random() < WITH_EMAIL:
            local = f"{folded(given)}.{folded(family)}".replace(" ", "")
            email = f"{local}{self.rng.randrange(100)}@exemple.fr"
        return PersonalDetails.checked(
            given_name=given, family_name=family, phone=f"06 {digits}", email=email,
            referrer=self.rng.choice(REFERRERS),
        )  # fmt: skip

    def publics(self) -> list[str]:
        chosen = [str(public) for public, share in PUBLIC_SHARES if self.rng.random() < share]
        age = self.rng.random()
        if age < YOUNG:
            chosen.append(str(Public.YOUNG_16_25))
        elif age < YOUNG + SENIOR:
            chosen.append(str(Public.SENIOR_60_PLUS))
        return chosen
