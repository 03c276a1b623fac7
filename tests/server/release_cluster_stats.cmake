# Canary analysis across a cluster with real processes: three flowd nodes on one throw-away
# PostgreSQL, canary traffic only to the nodes that do not drive rollouts; the leader aborts a
# failing canary and promotes a healthy one on the numbers the others publish.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-release-cluster-stats
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_release_cluster_stats.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_proto flowdeck_local_cluster Qt6::Network
                         PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-release-cluster-stats flowd)
endif()
