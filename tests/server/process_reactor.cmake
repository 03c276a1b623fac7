# flowd's ProcessMessage front end as a real process beside the HTTP stub: slow integration calls
# run beside other conversations, one conversation's messages stay in order, a waiting call is
# answered through SIGTERM, grpc.health.v1 Check and Watch.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-process-reactor
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_process_reactor.cpp
                            ${CMAKE_CURRENT_LIST_DIR}/../support/http_stub_process.h
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB nlohmann_json::nlohmann_json)
  add_dependencies(server-process-reactor flowd flowdeck-http-stub)
endif()
