flowdeck_add_test(NAME engine-model SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_model.cpp LABELS unit)
