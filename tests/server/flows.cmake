# flowd's Flows service as a real process: immutable versions, publishing, pinning, linter-gated
# publish, VERSION_CONFLICT, persistence across a restart, archiving; over gRPC and HTTP.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-flows SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flows.cpp
                    LABELS integration TIMEOUT 60
                    LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-flows flowd)
endif()
