# FlowDocument, its undo commands and the graph scene; the Design window driven like a user.
flowdeck_add_test(NAME console-flow-commands
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flow_commands.cpp
                  LABELS unit LIBS flowdeck_console TIMEOUT 60)
flowdeck_add_test(NAME console-flow-scene
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_flow_scene.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 60)

add_executable(console_crash_editor ${CMAKE_CURRENT_LIST_DIR}/console_crash_editor.cpp)
target_link_libraries(console_crash_editor PRIVATE flowdeck_console)
flowdeck_add_test(NAME console-design-window
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_design_window.cpp
                  LABELS gui LIBS flowdeck_console TIMEOUT 120)
add_dependencies(console-design-window console_crash_editor)
