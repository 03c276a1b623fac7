# MetricsRegistry: counters, gauges, latency histograms, label families and the Prometheus text
# exposition, which one test checks with the real `promtool check metrics` (skipped without it).
flowdeck_add_test(NAME engine-metrics SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_metrics.cpp
                  LABELS unit TIMEOUT 120)
