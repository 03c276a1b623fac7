#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a sample conversation through the
# engine with flowctl (the console replaces this once it exists).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FLOW="${1:-resources/flows/order_support.json}"
echo
echo "== flowctl validate $FLOW"
build/bin/flowctl validate "$FLOW" || true
echo
echo "== flowctl simulate $FLOW (type a message per line; Ctrl+D ends)"
if [ -t 0 ]; then
  exec build/bin/flowctl simulate "$FLOW"
else
  exec build/bin/flowctl simulate "$FLOW" --script resources/flows/order_support.script.txt --trace
fi
