# flowd's Releases service as a real process: a canary whose integration answers 500 aborts by
# itself, rollouts survive a restart, promote/abort/rollback with reasons in the history, the
# error mapping of each refusal, RELEASE events and flowdeck_rollout_step.
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-releases SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_releases.cpp
                    LABELS integration TIMEOUT 120
                    LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-releases flowd)
endif()
