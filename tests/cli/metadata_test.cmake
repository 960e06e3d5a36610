# gavah_metadata's tests; included from tests/CMakeLists.txt. They run ImageMagick's convert,
# exiv2, ffmpeg, ffprobe and qpdf from /usr/bin to make fixtures and to check the results.
add_executable(metadata_test ${CMAKE_CURRENT_LIST_DIR}/metadata_test.cc)
target_link_libraries(metadata_test PRIVATE gavah_test_support gavah_metadata GTest::gtest_main)
gtest_discover_tests(metadata_test DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
