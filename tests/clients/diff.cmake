# flowctl diff, run as a real process on files written to a temporary directory.
if(FLOWDECK_BUILD_CLIENTS)
  flowdeck_add_test(NAME clients-flowctl-diff SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flowctl_diff.cpp
                    LABELS integration TIMEOUT 120)
  add_dependencies(clients-flowctl-diff flowctl)
endif()
