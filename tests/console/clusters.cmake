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
# The console against a 3-node cluster on one throw-away PostgreSQL, started with a tokens file:
# a connection profile discovers every node, metrics match /metrics, a SIGKILLed node shows down
# within 5 s and back after a restart, Deploy follows the profile.
if(TARGET flowd AND TARGET flowdeck_local_cluster AND FLOWDECK_CONSOLE_CLUSTERS)
  flowdeck_add_test(NAME console-clusters-cluster
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_clusters_cluster.cpp
                    LABELS gui integration TIMEOUT 180
                    LIBS flowdeck_console flowdeck_proto flowdeck_local_cluster
                         PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(console-clusters-cluster flowd)
endif()
