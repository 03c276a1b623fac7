# flowctl's release commands: the text and JSON they print (unit), and flows/versions/push/deploy/
# rollout/rollback/history against a real flowd on 127.0.0.1 (integration).
if(FLOWDECK_BUILD_CLIENTS)
  flowdeck_add_test(NAME clients-release-format
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_release_format.cpp
                    LABELS unit TIMEOUT 60 LIBS flowdeck_client)
  target_include_directories(clients-release-format PRIVATE ${PROJECT_SOURCE_DIR}/clients/src)
endif()
if(FLOWDECK_BUILD_CLIENTS AND TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME clients-flowctl-releases
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flowctl_releases.cpp
                    LABELS integration TIMEOUT 120
                    LIBS Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  target_include_directories(clients-flowctl-releases PRIVATE ${PROJECT_SOURCE_DIR}/tests/server)
  add_dependencies(clients-flowctl-releases flowd flowctl)
endif()
