# flowd as a real process on 127.0.0.1: HTTP and gRPC, health, metrics, errors, SIGTERM.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-flowd SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flowd.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-flowd flowd)
endif()
include(${CMAKE_CURRENT_LIST_DIR}/telemetry.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/flows.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/releases.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/security.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/tls.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/load_driver.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/cluster.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/release_cluster_stats.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/process_reactor.cmake)
