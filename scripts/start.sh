#!/usr/bin/env bash
# The main job: installs what is missing, builds, and starts the console (flowdeck) with the
# embedded engine and a sample flow open in the Design workspace.
#   bash scripts/start.sh [FLOW.json]
# Without a display (no $DISPLAY / $WAYLAND_DISPLAY, e.g. over ssh) it cannot show a window: it
# writes a screenshot of the console to build/flowdeck-start.png instead and plays the flow's
# sample conversation in the terminal with flowctl.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FLOW="${1:-resources/flows/order_support.json}"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "== flowdeck $FLOW"
  exec build/bin/flowdeck "$FLOW"
fi

echo "== no display: writing a screenshot of the console instead of opening its window"
QT_QPA_PLATFORM=offscreen build/bin/flowdeck "$FLOW" --no-restore \
  --screenshot build/flowdeck-start.png 2> >(grep -v -e XDG_RUNTIME_DIR -e propagateSizeHints >&2)
SCRIPT="${FLOW%.json}.script.txt"
USER_JSON="{\"name\":\"${FLOWDECK_USER_NAME:-Ada}\"}"
echo
if [ -t 0 ] || [ ! -f "$SCRIPT" ]; then
  echo "== flowctl simulate $FLOW (one message per line; /state, /timeout, /quit; Ctrl+D ends)"
  exec build/bin/flowctl simulate "$FLOW" --user "$USER_JSON"
fi
echo "== flowctl simulate $FLOW --script $SCRIPT   (add --trace to see every step)"
exec build/bin/flowctl simulate "$FLOW" --script "$SCRIPT" --user "$USER_JSON"
