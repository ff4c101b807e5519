// SPDX-License-Identifier: MIT
// Encrypted folder-store files (storage/filesystem/encryption.cpp, spec §6.4): the header and the AES-256-GCM
// decryption with a fixed key, then the JSON reader behind it as the folder backend chains them.
#include "filesystem/encryption.h"
#include "filesystem/memoryfile.h"
#include "fuzzcheck.h"

#include <cstdint>

using namespace Inspector;

namespace {
constexpr qsizetype kOverhead = 14 + 12 + 16; // magic, nonce, tag

// The key the seed corpus is encrypted with: base64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".
QByteArray fixedKey()
{
    QByteArray key(32, Qt::Uninitialized);
    for (int i = 0; i < 32; ++i)
        key[i] = char(i);
    return key;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size > 1024 * 1024)
        return 0;
    static const QByteArray key = fixedKey();
    static const QByteArray otherKey = QByteArray(32, 'k');
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));

    // The input as a file read from the folder.
    if (const auto plain = Encryption::decrypt(bytes, key)) {
        FUZZ_CHECK(Encryption::isEncrypted(bytes));
        FUZZ_CHECK(plain->size() == bytes.size() - kOverhead);
        FUZZ_CHECK(!Encryption::decrypt(bytes, otherKey)); // GCM: another key does not open it
        FUZZ_CHECK(!Encryption::decrypt(bytes.left(bytes.size() - 1), key)); // nor a truncated file
        QString reason;
        (void)parseMemoryFile(*plain, &reason);
    }

    // The input as clear text: it encrypts into subcog's layout and decrypts back, and any changed byte is caught.
    const QByteArray file = Encryption::encrypt(bytes, key);
    FUZZ_CHECK(Encryption::isEncrypted(file));
    FUZZ_CHECK(file.size() == bytes.size() + kOverhead);
    const auto back = Encryption::decrypt(file, key);
    FUZZ_CHECK(back && *back == bytes);
    QByteArray changed = file;
    const qsizetype at = 14 + (size ? data[0] * 131 + data[size - 1] : 0) % (file.size() - 14); // nonce, text or tag
    changed[at] = char(changed[at] ^ 0x01);
    FUZZ_CHECK(!Encryption::decrypt(changed, key));

    // The input as SUBCOG_ENCRYPTION_KEY's text: a key, when accepted, is exactly 32 bytes.
    if (size <= 128) {
        if (const auto k = Encryption::keyFromBase64(bytes))
            FUZZ_CHECK(k->size() == 32);
    }
    return 0;
}
