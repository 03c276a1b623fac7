# Engine tests: each component lists its own file in tests/engine/<component>.cmake.
file(GLOB FLOWDECK_ENGINE_TEST_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cmake)
list(REMOVE_ITEM FLOWDECK_ENGINE_TEST_FILES ${CMAKE_CURRENT_LIST_FILE})
list(SORT FLOWDECK_ENGINE_TEST_FILES)
foreach(f ${FLOWDECK_ENGINE_TEST_FILES})
  include(${f})
endforeach()
