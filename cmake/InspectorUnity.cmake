# Unity (jumbo) builds of the targets made of many sources: each is compiled in batches of up to 16 files, one
# compiler run a batch, so the Qt, libpqxx and standard headers are parsed and their templates compiled once a
# batch, not once a file. CI builds from a clean clone three times (release, ASan, TSan). The test and bench
# programs are one source each: nothing to batch (and GCC's -Wsubobject-linkage misfires on an included main file).
option(INSPECTOR_UNITY "Compile the libraries and the app in unity batches" ON)
if(NOT INSPECTOR_UNITY)
    return()
endif()
set(inspector_unity_targets inspector_storage inspector_model inspector_ui subcog-inspector)
if(INSPECTOR_BUILD_TESTS)
    list(APPEND inspector_unity_targets inspector_testsupport)
endif()
set_target_properties(${inspector_unity_targets} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 16)

# Sources kept out of the batches: their file-local helpers (anonymous namespace) share names with another
# file's in the same target, so they are compiled on their own.
set(inspector_unity_skip
    storage:health/foldercheck.cpp storage:health/folderrepair.cpp storage:health/postgresrepair.cpp
    storage:health/postgrescheck.cpp storage:lineage.cpp storage:embeddings.cpp storage:postgres/postgresgraph.cpp
    storage:postgres/postgresidentity.cpp
    ui:edgestab.cpp ui:trashdialog.cpp ui:overviewdockcharts.cpp
)
foreach(entry IN LISTS inspector_unity_skip)
    string(REPLACE ":" ";" entry "${entry}")
    list(GET entry 0 dir)
    list(GET entry 1 file)
    set_source_files_properties(${PROJECT_SOURCE_DIR}/${dir}/${file} DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
                                PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endforeach()
