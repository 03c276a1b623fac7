# WorkspaceStore, the console's local SQLite workspace: unit tests plus a crash test that kills
# tests/support/workspace_writer with SIGKILL (hence `integration` too; it takes about a second).
add_executable(workspace_writer ${PROJECT_SOURCE_DIR}/tests/support/workspace_writer.cpp)
target_link_libraries(workspace_writer PRIVATE flowdeck_console)
set_target_properties(workspace_writer PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)

flowdeck_add_test(NAME console-workspace-store
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_workspace_store.cpp
                  LABELS unit integration LIBS flowdeck_console TIMEOUT 120)
add_dependencies(console-workspace-store workspace_writer)
