# View → Theme: the canvas, the chat and (with the gRPC client) the Clusters charts switch to
# dark and back through MainWindow::applyTheme; contrast measured on the drawn pixels (offscreen).
flowdeck_add_test(NAME console-dark-theme
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dark_theme.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 60)
