from __future__ import annotations

from linkguard.cli import main

if __name__ == "__main__":  # worker processes re-import the main module: do not run again
    main()
