# Crash-test client for SqliteStore (started and killed by engine-sqlite-crash).
add_executable(store_writer ${CMAKE_CURRENT_LIST_DIR}/store_writer.cpp)
target_link_libraries(store_writer PRIVATE flowdeck_engine)
