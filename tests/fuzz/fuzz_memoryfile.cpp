// SPDX-License-Identifier: MIT
// The folder store's `<id>.json` readers (storage/filesystem/memoryfile.cpp, spec §6.2, and the index's fast one,
// metadataparser.cpp, which must never accept what the full one refuses nor read other values): files anyone can
// edit.
#include "filesystem/memoryfile.h"
#include "filesystem/metadataparser.h"
#include "fuzzcheck.h"

#include <cstdint>

using namespace Inspector;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size > 1024 * 1024) // subcog's read limit; the backend refuses larger files before parsing
        return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    QString reason;
    const auto parsed = parseMemoryFile(bytes, &reason);
    Memory fast;
    bool hasEmbedding = false;
    const bool quick = parseMemoryMetadata(bytes, &fast, &hasEmbedding);
    if (!parsed) {
        FUZZ_CHECK(!reason.isEmpty()); // a damaged file is reported with a reason
        FUZZ_CHECK(!quick);
        return 0;
    }
    if (quick) {
        Memory expected = parsed->memory;
        expected.content.clear();
        expected.embedding.reset();
        FUZZ_CHECK(fast.sameFields(expected) && fast.flags == expected.flags && fast.domain == expected.domain
                   && fast.domainParts == expected.domainParts);
        FUZZ_CHECK(hasEmbedding == (parsed->memory.embedding && !parsed->memory.embedding->isEmpty()));
    }
    // Round trip: what the inspector writes for a memory it read reads back as the same memory, and writing
    // that again gives the same bytes (so a save without edits does not keep changing the file).
    const QByteArray written = serializeMemoryFile(parsed->memory, parsed->unknownKeys);
    QString again;
    const auto reread = parseMemoryFile(written, &again);
    if (!reread) {
        std::fprintf(stderr, "written file does not read back: %s\n%s\n", qPrintable(again), written.constData());
        FUZZ_CHECK(reread);
    }
    FUZZ_CHECK(reread->memory.sameFields(parsed->memory));
    FUZZ_CHECK(reread->unknownKeys == parsed->unknownKeys);
    FUZZ_CHECK(serializeMemoryFile(reread->memory, reread->unknownKeys) == written);
    return 0;
}
