#!/bin/sh
# Job step: the lab kernel as a bundle, BUNDLE (default labctl-kernel.tar.zst
# in the working directory).  A bundle already there (the engine's cache)
# is imported and kept; else the kernel is built and exported.  A bundle
# that does not import (corrupt, cut) is built again.
set -eu
bundle=${1:-labctl-kernel.tar.zst}
if [ -f "$bundle" ] && labctl bundle import "$bundle"; then
	echo "kernel: from the cached bundle $bundle"
	exit 0
fi
rm -f "$bundle"
labctl build
labctl bundle export "$bundle"
