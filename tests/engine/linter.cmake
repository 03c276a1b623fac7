flowdeck_add_test(NAME engine-linter SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_linter.cpp LABELS unit)
