from __future__ import annotations

from linkguard.cli import main

main()
