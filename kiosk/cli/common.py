"""What every ``kiosk`` subcommand shares: its exit codes and loading the configuration.

Exit codes: 0 done; :data:`EXIT_FAILED` the command ran and failed (or the
card was refused); :data:`EXIT_USAGE` bad usage, an unusable file or a bad
configuration (the message names the key).
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.config import Config, load_config
from kiosk.errors import ConfigError

EXIT_FAILED = 1
EXIT_USAGE = 2


def load_cli_config(path: Path | None) -> Config | None:
    """The configuration (``--config``, else the usual places); None, said on stderr, if bad."""
    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"kiosk: konfigurasi salah / bad configuration: {exc}", file=sys.stderr)
        return None
