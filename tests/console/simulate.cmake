# The Simulate workspace driven through the real main window (offscreen): chat, highlights,
# trace, breakpoints, time travel, stubs, test suites and coverage, on the embedded engine.
flowdeck_add_test(NAME console-simulate-window
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_simulate_window.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 120)
