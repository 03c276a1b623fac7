# The Deploy workspace: its models and dialog with no node (unit), and the workspace against a
# real flowd on 127.0.0.1 (integration): push, canary, pause, promote, history.
if(FLOWDECK_CONSOLE_CLUSTERS)
  flowdeck_add_test(NAME console-deploy-models
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_deploy_models.cpp
                    LABELS unit gui TIMEOUT 60
                    LIBS flowdeck_console)
endif()
if(TARGET flowd AND TARGET flowdeck_proto AND FLOWDECK_CONSOLE_CLUSTERS)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME console-deploy-workspace
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_deploy_workspace.cpp
                    LABELS gui integration TIMEOUT 120
                    LIBS flowdeck_console flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(console-deploy-workspace flowd)
endif()
