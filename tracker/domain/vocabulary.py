"""The closed lists of values the programme records: grades, outcomes, reasons, materials."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class DeviceType(StrEnum):
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    ALL_IN_ONE = "all_in_one"
    MINI_PC = "mini_pc"
    TABLET = "tablet"


class Grade(StrEnum):
    """A: like new, B: visible wear, C: works with defects, D: not reusable as is."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class TriageOutcome(StrEnum):
    RECONDITION = "recondition"
    DISMANTLE = "dismantle"


class Check(StrEnum):
    """What the triage looks at."""

    POWERS_ON = "powers_on"
    SCREEN = "screen"
    KEYBOARD = "keyboard"
    BATTERY = "battery"
    STORAGE = "storage"
    RAM = "ram"
    CPU = "cpu"


class CheckResult(StrEnum):
    OK = "ok"
    FAULTY = "faulty"
    ABSENT = "absent"


class WipeMethod(StrEnum):
    SOFTWARE_OVERWRITE = "software_overwrite"
    CRYPTOGRAPHIC_ERASE = "cryptographic_erase"
    FIRMWARE_SECURE_ERASE = "firmware_secure_erase"
    DRIVE_DESTROYED = "drive_destroyed"
    NO_STORAGE = "no_storage"


class WipeResult(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"


class MaterialFraction(StrEnum):
    FERROUS = "ferrous"
    NON_FERROUS = "non_ferrous"
    PLASTICS = "plastics"
    CIRCUIT_BOARDS = "circuit_boards"
    BATTERIES = "batteries"
    CABLES = "cables"
    SCREENS = "screens"


class ComponentKind(StrEnum):
    RAM = "ram"
    STORAGE = "storage"
    BATTERY = "battery"
    POWER_SUPPLY = "power_supply"
    SCREEN = "screen"
    KEYBOARD = "keyboard"
    CPU = "cpu"
    FAN = "fan"
    OTHER = "other"


class ReconditioningWork(StrEnum):
    CLEANING = "cleaning"
    REPAIR = "repair"
    PARTS_REPLACED = "parts_replaced"
    OS_INSTALLED = "os_installed"
    SOFTWARE_SETUP = "software_setup"


class ContributionMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    CHEQUE = "cheque"
    TRANSFER = "transfer"
    WAIVED = "waived"


class ReturnReason(StrEnum):
    END_OF_AGREEMENT = "end_of_agreement"
    BREAKDOWN = "breakdown"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


class Condition(StrEnum):
    GOOD = "good"
    DAMAGED = "damaged"
    BROKEN = "broken"


class WriteOffReason(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    KEPT_BY_BENEFICIARY = "kept_by_beneficiary"
    REGISTERED_IN_ERROR = "registered_in_error"


class FundedStage(StrEnum):
    """A step a funding line pays for, named as the read models count it."""

    TRIAGED = "triaged"
    DATA_WIPED = "data_wiped"
    DISMANTLED = "dismantled"
    RECONDITIONED = "reconditioned"
    LOANED = "loaned"
    RETURNED = "returned"


class BeneficiaryCategory(StrEnum):
    """A public a funder counts among those handed a computer (a rule, never said of a person)."""

    MINIMUM_INCOME = "minimum_income"  # RSA, ASS…
    JOBSEEKER = "jobseeker"
    YOUNG_16_25 = "young_16_25"
    SENIOR_60_PLUS = "senior_60_plus"
    DISABILITY = "disability"
    PRIORITY_NEIGHBOURHOOD = "priority_neighbourhood"  # QPV


# Upper bounds that catch a typing slip (an extra zero) without refusing real values.
MAX_KG = Decimal("1000")
MAX_HOURS = Decimal("200")
MAX_MONEY = Decimal("1000")
MAX_PARTS = 100
