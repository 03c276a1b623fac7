# flowctl, run as a real process the way a user or CI script runs it.
if(FLOWDECK_BUILD_CLIENTS)
  flowdeck_add_test(NAME clients-flowctl SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flowctl.cpp
                    LABELS integration TIMEOUT 120)
  add_dependencies(clients-flowctl flowctl)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/diff.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/test_command.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/telemetry.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/releases.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/local_cluster.cmake)
