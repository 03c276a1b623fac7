# The Simulate workspace's trace timeline, context editor and stubs panel, fed by real engine
# runs of order_support (widgets, offscreen).
flowdeck_add_test(NAME console-simulate-widgets
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_simulate_widgets.cpp
                  LABELS unit gui LIBS flowdeck_console TIMEOUT 60)
