# Executor and its private parts (templates, intent classifier, slot extractors). The private
# headers live in engine-embedded/src, hence the extra include directory.
set(FLOWDECK_ENGINE_PRIVATE_DIR ${PROJECT_SOURCE_DIR}/engine-embedded/src)
flowdeck_add_test(NAME engine-executor
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_executor.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/executor_harness.h
                  LABELS unit TIMEOUT 120)
# The sample flows in resources/flows, run through their *.script.txt conversations.
flowdeck_add_test(NAME engine-executor-samples
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_executor_samples.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/executor_harness.h
                  LABELS unit TIMEOUT 120)
# Integration states over real HTTP: CurlGateway against a flowdeck-http-stub process.
flowdeck_add_test(NAME engine-executor-integration
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_executor_integration.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/executor_harness.h
                          ${CMAKE_CURRENT_LIST_DIR}/../support/http_stub_process.h
                  LABELS integration TIMEOUT 120)
add_dependencies(engine-executor-integration flowdeck-http-stub)
flowdeck_add_test(NAME engine-templates SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_templates.cpp
                  LABELS unit)
flowdeck_add_test(NAME engine-intent-classifier
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_intent_classifier.cpp LABELS unit)
flowdeck_add_test(NAME engine-slot-extractors
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_slot_extractors.cpp LABELS unit)
foreach(t engine-templates engine-intent-classifier engine-slot-extractors)
  target_include_directories(${t} PRIVATE ${FLOWDECK_ENGINE_PRIVATE_DIR})
endforeach()
