"""Errors a user can cause, as opposed to bugs.

Every `UserInputError` ends a command with its one-sentence message and exit
status 2, before anything in the CRM has been changed; a `RunStopped` ends it
with status 1 once writing had begun. Anything else that escapes is a bug and
keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OdlmError(Exception):
    """An error that ends a command with its one-sentence message and ``exit_status``."""

    exit_status = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserInputError(OdlmError):
    """Bad input: configuration, files, names, unreachable servers."""

    exit_status = 2


class ConfigError(UserInputError):
    """The configuration file cannot be read or does not validate."""


class MissingEnvironmentVariable(ConfigError):
    """A `${VAR}` reference without default names an unset variable."""


class DataFileError(UserInputError):
    """A campaign table, salesperson file or web-source file is missing or malformed."""


class CrmError(UserInputError):
    """The CRM store cannot be opened or refused a request for a reason the user can fix."""


class CrmUnavailable(CrmError):
    """The CRM could not be reached or was busy: the same request may succeed later.

    A write that ends this way may or may not have been carried out, so the
    caller re-reads before trying again.
    """


class CrmOutcomeUnknown(CrmUnavailable):
    """A write reached (or may have reached) the CRM and its answer was lost.

    The CRM may well have committed it. Nothing re-sends such a write as it
    is: the applier reads the leads again and writes only those that do not
    hold the values yet.
    """


class RunSkipped(OdlmError):
    """The run has nothing to do, as configured (say, no salespeople and
    ``when_no_salespeople_found: skip_distribution``): said, not an error.

    Exit status 0; nothing was read beyond what decided it, nothing written.
    """

    exit_status = 0


class RunFailed(OdlmError):
    """The configuration asks for a failure (``fallback_strategies: fail``); nothing written."""


class RunStopped(OdlmError):
    """A run that had begun writing could not go on; its journal lets it resume.

    Exit status 1: unlike bad input, the CRM may already hold part of the run.
    """


@contextmanager
def reading(path: Path, what: str, error: type[UserInputError]) -> Iterator[None]:
    """Turn the ways a file cannot be read into one ``error`` naming the file and ``what`` it is."""
    try:
        yield
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise error(f"{path} is a directory, not a {what}") from None
    except UnicodeDecodeError as exc:
        data = bytes(exc.object)
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{path}, line {line}, column {column}: not UTF-8 text (byte "
            f"0x{data[exc.start]:02x}: {exc.reason}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from None
