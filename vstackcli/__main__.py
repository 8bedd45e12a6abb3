"""``python -m vstackcli``."""

from vstackcli.cli import main

raise SystemExit(main())
