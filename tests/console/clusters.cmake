# The Clusters workspace against two real flowd nodes on 127.0.0.1 (offscreen): node facts,
# charts filled from WatchMetrics, a killed node shown down and back up after a restart.
if(TARGET flowd AND TARGET flowdeck_proto AND FLOWDECK_CONSOLE_CLUSTERS)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME console-clusters-workspace
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_clusters_workspace.cpp
                    LABELS gui integration TIMEOUT 90
                    LIBS flowdeck_console flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(console-clusters-workspace flowd)
endif()
