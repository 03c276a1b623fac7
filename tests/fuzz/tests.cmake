# A short run of every libFuzzer target (scripts/fuzz.sh builds the `fuzz` preset with clang-14
# in build-fuzz/ first). Not a Qt test; `slow`, so the default test run leaves it out.
add_test(NAME fuzz-short COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh 20)
set_tests_properties(fuzz-short PROPERTIES LABELS slow TIMEOUT 1800)
