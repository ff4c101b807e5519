// The translation unit that carries the tests' precompiled headers (inspector_test_pch in tests/CMakeLists.txt).
