#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a sample conversation through the
# engine with flowctl (the console replaces this once it exists).
#   bash scripts/start.sh [FLOW.json]   interactive when stdin is a terminal, else it plays
#                                       the flow's *.script.txt
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FLOW="${1:-resources/flows/order_support.json}"
SCRIPT="${FLOW%.json}.script.txt"
USER_JSON="{\"name\":\"${FLOWDECK_USER_NAME:-Ada}\"}"
echo
echo "== flowctl validate $FLOW"
build/bin/flowctl validate "$FLOW" || true
echo
if [ -t 0 ] || [ ! -f "$SCRIPT" ]; then
  echo "== flowctl simulate $FLOW (one message per line; /state, /timeout, /quit; Ctrl+D ends)"
  exec build/bin/flowctl simulate "$FLOW" --user "$USER_JSON"
fi
echo "== flowctl simulate $FLOW --script $SCRIPT   (add --trace to see every step)"
exec build/bin/flowctl simulate "$FLOW" --script "$SCRIPT" --user "$USER_JSON"
