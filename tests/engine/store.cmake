# Conversation stores: the shared contract (store_contract.h) against MemoryStore, SqliteStore and
# CachingStore, plus SqliteStore's crash test, which kills tests/support/store_writer with SIGKILL.
find_package(SQLite3 REQUIRED) # the tests open the database directly to lock it or inspect it

flowdeck_add_test(NAME engine-memory-store SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_memory_store.cpp
                  LABELS unit TIMEOUT 60)
flowdeck_add_test(NAME engine-sqlite-store SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlite_store.cpp
                  LABELS unit LIBS SQLite::SQLite3 TIMEOUT 120)
# Opens files written with older schemas and checks nothing is lost.
flowdeck_add_test(NAME engine-sqlite-migration
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlite_migration.cpp
                  LABELS unit LIBS SQLite::SQLite3 TIMEOUT 60)
# CachingStore: the same contract in front of MemoryStore and SqliteStore, plus what it saves.
flowdeck_add_test(NAME engine-caching-store SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_caching_store.cpp
                  LABELS unit TIMEOUT 120)
flowdeck_add_test(NAME engine-sqlite-crash SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlite_crash.cpp
                  LABELS integration TIMEOUT 120)
add_dependencies(engine-sqlite-crash store_writer)
# ConversationState has a member named `slots`, which Qt's keyword macro would erase.
foreach(t engine-memory-store engine-sqlite-store engine-sqlite-migration engine-caching-store
         engine-sqlite-crash)
  target_compile_definitions(${t} PRIVATE QT_NO_KEYWORDS)
endforeach()
# The page-cache layer every SQLite connection of the process uses: the rows read back match a
# model after splits, deletes, rollbacks and VACUUM.
flowdeck_add_test(NAME engine-sqlite-page-cache
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlite_page_cache.cpp
                  LABELS unit LIBS SQLite::SQLite3 TIMEOUT 120)
target_include_directories(engine-sqlite-page-cache PRIVATE ${PROJECT_SOURCE_DIR}/engine-embedded/src)
