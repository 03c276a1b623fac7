# Integration gateway: JSONPath and the stub gateway are unit tests; CurlGateway is tested
# against a real flowdeck-http-stub process on 127.0.0.1 (tests/support/http_stub.cmake).
flowdeck_add_test(NAME engine-json-path SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_json_path.cpp
                  LABELS unit)
flowdeck_add_test(NAME engine-stub-gateway SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_stub_gateway.cpp
                  LABELS unit)
flowdeck_add_test(NAME engine-gateway
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_gateway.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/../support/http_stub_process.h
                  LABELS integration TIMEOUT 120)
add_dependencies(engine-gateway flowdeck-http-stub)
