# Cluster mode with real processes: three flowd nodes on one throw-away PostgreSQL (the harness of
# `flowctl cluster up`), a node killed with SIGKILL under load, releases reaching every node, and
# leadership moving when the node driving a rollout dies.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-cluster SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cluster.cpp
                    LABELS integration TIMEOUT 240
                    LIBS flowdeck_proto flowdeck_local_cluster Qt6::Network
                         PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-cluster flowd)
endif()

# The cluster a crashed owner leaves behind: cluster_crash_probe starts PostgreSQL and a node,
# then kills itself; the orphan guard must stop both (and leave a detached cluster alone).
if(TARGET flowd AND TARGET flowdeck_local_cluster)
  add_executable(cluster_crash_probe ${CMAKE_CURRENT_LIST_DIR}/cluster_crash_probe.cpp)
  target_link_libraries(cluster_crash_probe PRIVATE flowdeck_local_cluster)
  flowdeck_add_test(NAME server-cluster-orphans
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cluster_orphans.cpp
                    LABELS integration TIMEOUT 180
                    LIBS flowdeck_local_cluster)
  add_dependencies(server-cluster-orphans flowd cluster_crash_probe)
endif()
