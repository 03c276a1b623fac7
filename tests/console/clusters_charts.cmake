# The Clusters charts and events tail without any node: counter rates and the cluster line in
# the metric history, the chart adapter's pause, zoom, hover values and PNG/CSV export, and the
# events filter (offscreen). clusters/ is built only with the gRPC client, hence the guard.
if(FLOWDECK_CONSOLE_CLUSTERS)
  flowdeck_add_test(NAME console-clusters-charts
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_clusters_charts.cpp
                    LABELS unit gui TIMEOUT 60 LIBS flowdeck_console)
  flowdeck_add_test(NAME console-clusters-events
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cluster_events.cpp
                    LABELS unit gui TIMEOUT 60 LIBS flowdeck_console)
endif()
