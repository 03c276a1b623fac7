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
