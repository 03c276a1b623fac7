# libflowdeck_client's telemetry arithmetic (layout, quantiles, deltas, the `flowctl top` summary).
if(FLOWDECK_BUILD_CLIENTS)
  flowdeck_add_test(NAME clients-telemetry-metrics
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_telemetry_metrics.cpp
                    LABELS unit TIMEOUT 60 LIBS flowdeck_client)
endif()
