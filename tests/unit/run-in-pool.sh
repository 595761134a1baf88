#!/bin/sh
# run-in-pool.sh PMEMFILE_RUN NAME CMD...: runs CMD with a fresh pool at /mnt.
run=$1; name=$2; shift 2
pool=/dev/shm/pf-test-$name-$$
trap 'rm -f "$pool"' EXIT
"$run" --pool "$pool" --create 64M --mount /mnt -- "$@"
