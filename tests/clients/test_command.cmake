# flowctl test, run as a real process on the sample suites and on edited copies in a temp dir.
if(FLOWDECK_BUILD_CLIENTS)
  flowdeck_add_test(NAME clients-flowctl-test
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flowctl_test.cpp
                            ${CMAKE_CURRENT_LIST_DIR}/flowctl_runner.h
                    LABELS integration TIMEOUT 120)
  add_dependencies(clients-flowctl-test flowctl)
endif()
