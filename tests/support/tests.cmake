# Helper programs the tests start as real processes. Each helper registers itself in its own
# tests/support/<helper>.cmake; this file only includes them all.
file(GLOB FLOWDECK_SUPPORT_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cmake)
list(REMOVE_ITEM FLOWDECK_SUPPORT_FILES ${CMAKE_CURRENT_LIST_FILE})
list(SORT FLOWDECK_SUPPORT_FILES)
foreach(f ${FLOWDECK_SUPPORT_FILES})
  include(${f})
endforeach()
