"""``python -m central``: run the reference central server."""

from central.server import main

raise SystemExit(main())
