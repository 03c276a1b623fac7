# Alert rules of the Clusters workspace: evaluation on synthetic histories and the JSON form
# (no network, no widgets). clusters/ is built only with the gRPC client, hence the guard.
if(FLOWDECK_CONSOLE_CLUSTERS)
  flowdeck_add_test(NAME console-alert-rules
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_alert_rules.cpp
                    LABELS unit TIMEOUT 60 LIBS flowdeck_console)
endif()
# The rules editor (OK refuses invalid JSON naming the field) and the Alerts dock in the
# workspace, offscreen; no node is connected.
if(FLOWDECK_CONSOLE_CLUSTERS)
  flowdeck_add_test(NAME console-alert-rules-dialog
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_alert_rules_dialog.cpp
                    LABELS unit gui TIMEOUT 60 LIBS flowdeck_console)
endif()
