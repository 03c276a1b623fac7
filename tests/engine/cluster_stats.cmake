# Canary analysis across a cluster: VariantStats merging other nodes' seconds exactly, the
# controller judging and recording the merged numbers, an unreadable peer source making the verdict
# inconclusive, and the text form of the shared latency buckets (no database needed).
if(TARGET flowdeck_engine_pg)
  flowdeck_add_test(NAME engine-cluster-stats
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cluster_stats.cpp
                    LABELS unit LIBS flowdeck_engine_pg TIMEOUT 60)
endif()
# The table the nodes share those numbers through, on a real PostgreSQL (LocalPostgres).
if(TARGET flowdeck_local_cluster)
  flowdeck_add_test(NAME engine-postgres-variant-stats
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_postgres_variant_stats.cpp
                    LABELS integration LIBS flowdeck_engine_pg flowdeck_local_cluster TIMEOUT 60)
endif()
