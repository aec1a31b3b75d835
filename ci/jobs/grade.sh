#!/bin/sh
# Job step: grade one submission, SUBMISSION at REF (a commit id; empty:
# HEAD), into OUT, with the kernel of BUNDLE.  Exits as labctl grade does
# (0 passed, 1 failed, ...): the job's colour is the grade.
set -eu
submission=$1 ref=${2:-} out=${3:-results} bundle=${4:-labctl-kernel.tar.zst}
labctl bundle import "$bundle"
exec labctl grade --out "$out" ${ref:+--ref "$ref"} "$submission"
