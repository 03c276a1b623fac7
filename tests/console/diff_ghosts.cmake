# The version diff on the canvas: removed states as ghosts outside the document, and labels of
# parallel arrows and self-loops kept apart (offscreen scene, no window).
flowdeck_add_test(NAME console-diff-ghosts
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_diff_ghosts.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 60)
