# Restoring a saved version from the version history dialog, as one undoable step.
flowdeck_add_test(NAME console-restore-version
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_restore_version.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 60)
