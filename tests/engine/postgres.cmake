# PostgreSQL stores (cluster mode): the shared store contracts plus what only matters with
# several nodes, against a real PostgreSQL that LocalPostgres starts on a free loopback port.
if(TARGET flowdeck_local_cluster)
  find_package(PostgreSQL REQUIRED) # the test also talks to the server behind the stores' back
  flowdeck_add_test(NAME engine-postgres-store
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_postgres_store.cpp
                    LABELS integration
                    LIBS flowdeck_engine_pg flowdeck_local_cluster PostgreSQL::PostgreSQL
                    TIMEOUT 120)
  # ConversationState has a member named `slots`, which Qt's keyword macro would erase.
  target_compile_definitions(engine-postgres-store PRIVATE QT_NO_KEYWORDS)
endif()
