flowdeck_add_test(NAME engine-parser SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_parser.cpp LABELS unit)
# Runs /usr/bin/python3 with python3-jsonschema against resources/schema/flow.schema.json.
flowdeck_add_test(NAME engine-schema SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_schema.cpp LABELS unit
                  TIMEOUT 120)
