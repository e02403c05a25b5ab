"""Where a configuration came from: its file and the environment its values were read
against. The parts of a run that read files or databases a configuration names are given
this, not the configuration: relative paths start at the file's folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ConfigSource:
    """A configuration file's path (named in messages) and the environment of its
    ``${VAR}`` references and of the variables odlm reads when a key is left out."""

    path: Path
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def base_dir(self) -> Path:
        """The directory relative paths in the configuration start from."""
        return self.path.parent

    def resolve_path(self, value: str | Path) -> Path:
        """A path from the configuration, relative ones taken from the config file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path
