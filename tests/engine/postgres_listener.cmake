# PostgresListener against a real PostgreSQL started by LocalPostgres on 127.0.0.1.
if(TARGET flowdeck_local_cluster AND TARGET flowdeck_engine_pg)
  find_package(PostgreSQL REQUIRED)
  flowdeck_add_test(NAME engine-postgres-listener
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_postgres_listener.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_engine_pg flowdeck_local_cluster PostgreSQL::PostgreSQL)
  target_include_directories(engine-postgres-listener PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
endif()
