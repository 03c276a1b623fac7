#!/usr/bin/env bash
# The whole test suite (everything but tests labelled `slow`): installs what is missing, builds,
# runs CTest. Extra arguments go to ctest (e.g. -L unit, -R engine-parser, -L slow).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ $# -eq 0 ]; then
  set -- -LE slow
fi
ctest --test-dir build --output-on-failure -j 2 --timeout 600 "$@"
