#!/bin/sh
# The number of chunks of SIZE submissions ROSTER makes (GitHub's matrix,
# GitLab's child pipeline), checked against the engine's job limit.
set -eu
roster=$1 size=$2 limit=${3:-256}
n=$(grep -cv '^[[:space:]]*\(#\|$\)' "$roster" || true)
chunks=$(( (n + size - 1) / size ))
if [ "$chunks" -gt "$limit" ]; then
	echo "chunks: $n submissions in chunks of $size make $chunks jobs, more than $limit: raise the chunk size" >&2
	exit 1
fi
echo "$chunks"
