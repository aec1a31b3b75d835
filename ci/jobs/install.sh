#!/bin/sh
# Job step: build and install labctl from this checkout, with only what a
# grading machine needs (make deps-run), in one make call.  Run as root in a
# debian:12 container (GitLab's image:, GitHub's container:).
set -eu
cd "$(dirname "$0")/../.."
export DEBIAN_FRONTEND=noninteractive
make deps-run all install
labctl --version
