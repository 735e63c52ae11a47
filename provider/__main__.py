"""The native provider from this source tree (see PulumiPlugin.yaml): the package next to this
file, not an installed copy, serves the engine."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pulumi_ilert_contacts.plugin.server import main

main()
