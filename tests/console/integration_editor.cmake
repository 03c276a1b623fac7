# The inspector's integration editor (headers, body, response mapping) driven like a user.
flowdeck_add_test(NAME console-integration-editor
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_integration_editor.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 60)
