"""Building blocks shared by every section of the configuration schema."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from odoo_lead_manager.ops.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_COUNT,
    MAX_DAYS,
    MAX_RECORD_ID,
    MAX_SECONDS,
    MAX_SEED,
)

MatchMode = Literal["exact", "partial", "regex"]


def _case(method: str) -> Any:
    def convert(value: Any) -> Any:
        return getattr(value, method)() if isinstance(value, str) else value

    return BeforeValidator(convert)


# The spec writes log levels in upper case in one place and lower case in
# another; either spelling is accepted everywhere.
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], _case("upper")]
LowerLogLevel = Annotated[Literal["debug", "info", "warning", "error"], _case("lower")]

# Every number and date the schema accepts has bounds (odoo_lead_manager.ops.limits),
# so that no value can overflow a database column, a date or a timer.
NonNegativeInt = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveInt = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]
PositiveDays = Annotated[int, Field(ge=1, le=MAX_DAYS)]
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
Seed = Annotated[int, Field(ge=-MAX_SEED, le=MAX_SEED)]
Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
NonNegativeSeconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]
Day = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


class Section(BaseModel):
    """A configuration section: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _compile_all(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


# A list of regular expressions, each checked when the configuration loads.
RegexList = Annotated[list[str], AfterValidator(_compile_all)]


def mode_from_exact_match(data: Any) -> Any:
    """Fill ``match_mode`` from the older ``exact_match`` flag when only that is given.

    The spec shows both; when both are present ``match_mode`` decides, since
    it is the more specific setting (the templates pair ``exact_match: false``
    with ``match_mode: exact``, meaning exact).
    """
    if isinstance(data, dict) and "match_mode" not in data and "exact_match" in data:
        return {**data, "match_mode": "exact" if data["exact_match"] else "partial"}
    return data


class MatchOptions(Section):
    """How configured names are compared with a lead's values."""

    case_sensitive: bool = False
    exact_match: bool | None = None
    match_mode: MatchMode = "exact"
    include_partial_matches: bool = False

    @model_validator(mode="before")
    @classmethod
    def _mode(cls, data: Any) -> Any:
        return mode_from_exact_match(data)


class ValueMatch(MatchOptions):
    """A list of values and how to match them.

    Written either as a plain list (``status: [new, utr]``) or as an object
    (``status: {values: [...], case_sensitive: false}``); both load to this.
    """

    values: list[str] = Field(default_factory=list)
    strip_whitespace: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            return {"values": list(data)}
        if isinstance(data, str):
            return {"values": [data]}
        return mode_from_exact_match(data)

    @model_validator(mode="after")
    def _regexes_compile(self) -> ValueMatch:
        if self.match_mode == "regex":
            _compile_all(self.values)
        return self
