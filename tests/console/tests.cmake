# Console tests: each component lists its own file in tests/console/<component>.cmake.
# GUI tests run with QT_QPA_PLATFORM=offscreen (set by flowdeck_add_test).
if(TARGET flowdeck_console)
  find_package(Qt6 REQUIRED COMPONENTS Widgets)
  file(GLOB FLOWDECK_CONSOLE_TEST_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cmake)
  list(REMOVE_ITEM FLOWDECK_CONSOLE_TEST_FILES ${CMAKE_CURRENT_LIST_FILE})
  list(SORT FLOWDECK_CONSOLE_TEST_FILES)
  foreach(f ${FLOWDECK_CONSOLE_TEST_FILES})
    include(${f})
  endforeach()
endif()
