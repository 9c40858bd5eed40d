"""The `kiosk` command: one module per group of subcommands."""
