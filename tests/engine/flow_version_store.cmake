# Flow version stores: one contract (tst_flow_version_store.cpp) against the in-memory and the
# SQLite implementation, plus the SQLite file's own guarantees (reopen, immutability trigger).
find_package(SQLite3 REQUIRED) # the test opens the database directly to try rewriting a version
flowdeck_add_test(NAME engine-flow-version-store
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flow_version_store.cpp
                  LABELS unit LIBS SQLite::SQLite3 TIMEOUT 60)
