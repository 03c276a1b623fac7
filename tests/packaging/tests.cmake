# packaging/: the Prometheus alert rules are valid (promtool check rules) and fire when they
# should and not otherwise (promtool test rules, synthetic series in flowdeck-rules.test.yml).
find_program(FLOWDECK_PROMTOOL promtool)
if(FLOWDECK_PROMTOOL)
  add_test(NAME packaging-prometheus-rules-check
           COMMAND ${FLOWDECK_PROMTOOL} check rules
                   ${PROJECT_SOURCE_DIR}/packaging/prometheus/flowdeck-rules.yml)
  add_test(NAME packaging-prometheus-rules-test
           COMMAND ${FLOWDECK_PROMTOOL} test rules flowdeck-rules.test.yml
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(packaging-prometheus-rules-check packaging-prometheus-rules-test
                       PROPERTIES LABELS unit TIMEOUT 60)
else()
  message(WARNING "promtool not found (Debian: prometheus): the alert rules are not tested")
endif()
