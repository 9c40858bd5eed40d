"""Tests of what `make package` builds: both .deb files in scratch roots, the units,
the udev rules, the container files."""
