// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Inspector {

/// subcog's encryption at rest for folder stores (spec §6.4): `SUBCOG_ENC_V1\0`, a 12-byte nonce, then the
/// AES-256-GCM ciphertext and its 16-byte tag, no associated data. Uses OpenSSL's libcrypto.
namespace Encryption {

/// Whether the bytes start with subcog's magic.
bool isEncrypted(const QByteArray& data);
/// A 32-byte key from standard base64 (surrounding whitespace trimmed), or nullopt when it is not one; then
/// `whyNot` says what is wrong with it ("not base64", "16 bytes, a key has 32").
std::optional<QByteArray> keyFromBase64(QByteArrayView text, QString* whyNot = nullptr);
/// The key in SUBCOG_ENCRYPTION_KEY, when it is a valid one.
std::optional<QByteArray> keyFromEnvironment();
/// Why an encrypted file cannot be opened without a key given: none was, or SUBCOG_ENCRYPTION_KEY is not a key.
QString missingKeyReason();
/// Decrypts a whole file; nullopt when the key is wrong or the data was changed (the tag does not match).
std::optional<QByteArray> decrypt(const QByteArray& file, const QByteArray& key);
/// Encrypts with a fresh random nonce into subcog's file layout.
QByteArray encrypt(const QByteArray& plain, const QByteArray& key);

} // namespace Encryption
} // namespace Inspector
