flowdeck_add_test(NAME engine-flow-diff SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flow_diff.cpp
                  LABELS unit)
