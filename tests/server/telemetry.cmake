# flowd's Telemetry service (WatchMetrics, GetNodeInfo, WatchEvents) against a real flowd on
# 127.0.0.1, and flowctl top/events over libflowdeck_client.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-telemetry SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_telemetry.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-telemetry flowd)
  if(TARGET flowctl)
    add_dependencies(server-telemetry flowctl)
  endif()
endif()
# The node's event bus and error throttle, in process.
if(TARGET flowd_server)
  flowdeck_add_test(NAME server-node-events SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_node_events.cpp
                    LABELS unit TIMEOUT 60 LIBS flowd_server)
endif()
# flowdeck_conversations_active's counter, in process.
if(TARGET flowd_server)
  flowdeck_add_test(NAME server-active-conversations
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_active_conversations.cpp
                    LABELS unit TIMEOUT 60 LIBS flowd_server)
endif()
