# LocalPostgres: a real PostgreSQL started on 127.0.0.1 (as the postgres user when run as root).
if(TARGET flowdeck_local_cluster)
  find_package(PostgreSQL REQUIRED)
  flowdeck_add_test(NAME clients-local-postgres
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_local_postgres.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_local_cluster PostgreSQL::PostgreSQL)
  target_include_directories(clients-local-postgres PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
endif()
