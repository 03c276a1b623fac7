# Executor and its private parts (templates, intent classifier, slot extractors). The private
# headers live in engine-embedded/src, hence the extra include directory.
set(FLOWDECK_ENGINE_PRIVATE_DIR ${PROJECT_SOURCE_DIR}/engine-embedded/src)
flowdeck_add_test(NAME engine-executor SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_executor.cpp
                  LABELS unit TIMEOUT 120)
flowdeck_add_test(NAME engine-templates SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_templates.cpp
                  LABELS unit)
flowdeck_add_test(NAME engine-intent-classifier
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_intent_classifier.cpp LABELS unit)
flowdeck_add_test(NAME engine-slot-extractors
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_slot_extractors.cpp LABELS unit)
foreach(t engine-templates engine-intent-classifier engine-slot-extractors)
  target_include_directories(${t} PRIVATE ${FLOWDECK_ENGINE_PRIVATE_DIR})
endforeach()
