#!/bin/sh
# Job step: the lab kernel as a bundle, BUNDLE (default labctl-kernel.tar.zst
# in the working directory).  A bundle already there (the engine's cache)
# is imported and kept; else, with LABCTL_BUNDLE_URL set (the course
# published its bundle), it is downloaded; else the kernel is built.  The
# bundle is exported for the jobs after.  One that does not import
# (corrupt, cut) is not used.
set -eu
bundle=${1:-labctl-kernel.tar.zst}
if [ -f "$bundle" ] && labctl bundle import "$bundle"; then
	echo "kernel: from the cached bundle $bundle"
	exit 0
fi
rm -f "$bundle"
if [ -n "${LABCTL_BUNDLE_URL:-}" ] && labctl bundle import "$LABCTL_BUNDLE_URL"; then
	echo "kernel: from $LABCTL_BUNDLE_URL"
else
	labctl build
fi
labctl bundle export "$bundle"
