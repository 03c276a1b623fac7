# Connection profiles of the Clusters workspace: the profiles file, the token vault (0600 file,
# keychain or its fallback) and the profiles editor, offscreen; no node is connected.
if(FLOWDECK_CONSOLE_CLUSTERS)
  flowdeck_add_test(NAME console-connection-profiles
                    SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_connection_profiles.cpp
                    LABELS unit gui TIMEOUT 60 LIBS flowdeck_console)
endif()
