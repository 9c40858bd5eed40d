"""Tests of what `make package` builds: the .deb files installed into scratch roots, the units, udev rules and the container files."""
