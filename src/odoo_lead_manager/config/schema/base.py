"""Building blocks shared by every section of the configuration schema."""

from __future__ import annotations

import inspect
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


# Log levels appear in upper case in some sections and in lower case in others;
# either spelling is accepted everywhere.
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
    """A configuration section: unknown keys are errors, values are immutable once loaded.

    The string under each field is its description: the configuration
    reference, the JSON Schema editors read and the did-you-mean hint for a
    mistyped key all show it.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True
    )


def as_markdown(docstring: str | None) -> str:
    """A section's or a key's docstring as users read it: each paragraph on one line, and
    reStructuredText's ``code`` as Markdown's `code` (the reference, editors, messages)."""
    if not docstring:
        return ""
    paragraphs = (" ".join(part.split()) for part in inspect.cleandoc(docstring).split("\n\n"))
    return "\n\n".join(re.sub(r"``([^`]+)``", r"`\1`", part) for part in paragraphs if part)


def summary(description: str | None) -> str:
    """The first sentence of a description, for a one-line hint; a long sentence stops
    before the list or the detail its first colon or semicolon opens."""
    text = as_markdown(description).split("\n\n", 1)[0]
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if len(sentence) > 100:
        head = re.split(r"[:;]\s", sentence, maxsplit=1)[0]
        if len(head) >= 20 and head != sentence:
            return head + "."
    return sentence


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

    Older configurations carry both; when both are present ``match_mode``
    decides, since it is the more specific setting (the templates pair
    ``exact_match: false`` with ``match_mode: exact``, meaning exact).
    """
    if isinstance(data, dict) and "match_mode" not in data and "exact_match" in data:
        return {**data, "match_mode": "exact" if data["exact_match"] else "partial"}
    return data


class MatchOptions(Section):
    """How configured names are compared with a lead's values."""

    case_sensitive: bool = False
    """Whether upper and lower case must agree; false: ``facebook`` matches ``Facebook``."""
    exact_match: bool | None = None
    """The older spelling of ``match_mode``: true means ``exact``, false ``partial``; used
    only when ``match_mode`` is left out."""
    match_mode: MatchMode = "exact"
    """How a configured value is compared: ``exact`` (the whole value), ``partial`` (the
    configured text anywhere in the lead's value) or ``regex`` (each value is a regular
    expression searched in the lead's value)."""
    include_partial_matches: bool = False
    """With ``match_mode: exact``, also accept a lead's value that merely contains a
    configured value (the same as ``match_mode: partial``)."""

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
    """The values to look for, for example ``[New, Utr]``; an empty list turns the filter off."""
    strip_whitespace: bool = False
    """Ignore blanks around values on both sides (``"Utr "`` then matches ``Utr``); off,
    surrounding blanks count, as in the legacy pipeline."""

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
