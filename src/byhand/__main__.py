"""``python -m byhand`` runs the command line."""

from byhand.cli import main

raise SystemExit(main())
