flowdeck_add_test(NAME engine-lua SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_lua.cpp LABELS unit)
