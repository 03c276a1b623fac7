# The Engine facade: store + executor + registry, idempotency and ordering under concurrency.
flowdeck_add_test(NAME engine-engine SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine.cpp
                  LABELS unit TIMEOUT 180)
