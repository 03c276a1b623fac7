# Reordering transitions in the inspector: drag and drop, Alt+Up/Down, the arrow buttons.
flowdeck_add_test(NAME console-transition-reorder
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_transition_reorder.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 60)
