# The Engine facade: store + executor + registry, idempotency and ordering under concurrency.
flowdeck_add_test(NAME engine-engine SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine.cpp
                  LABELS unit TIMEOUT 180)
# The stored answer's text, written without a JSON document, against a document's dump.
flowdeck_add_test(NAME engine-codec SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_engine_codec.cpp
                  LABELS unit TIMEOUT 60)
