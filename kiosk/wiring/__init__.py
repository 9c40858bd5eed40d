"""Parts built from the configuration: the printer, the local store, the demo's reader."""
