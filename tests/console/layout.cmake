flowdeck_add_test(NAME console-graph-layout SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_graph_layout.cpp
                  LABELS unit LIBS flowdeck_console TIMEOUT 60)
