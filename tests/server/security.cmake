# flowd with a tokens file: the auth matrix (every unary method x every role x own/other tenant,
# over gRPC), HTTP's Bearer/ApiKey schemes, per-tenant rate limits, the audit log, and a tokens
# file others can read being refused.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-security SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_security.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-security flowd)
endif()
