// SPDX-License-Identifier: MIT
#include "encryption.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace Inspector::Encryption {

namespace {
constexpr char kMagic[] = "SUBCOG_ENC_V1"; // followed by its terminating NUL: 14 bytes
constexpr int kMagicSize = 14;
constexpr int kNonceSize = 12;
constexpr int kTagSize = 16;

using Context = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
} // namespace

bool isEncrypted(const QByteArray& data)
{
    return data.size() >= kMagicSize && memcmp(data.constData(), kMagic, kMagicSize) == 0;
}

std::optional<QByteArray> keyFromBase64(QByteArrayView text, QString* whyNot)
{
    const QByteArray trimmed = text.toByteArray().trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(trimmed, QByteArray::AbortOnBase64DecodingErrors);
    QString why;
    if (trimmed.isEmpty())
        why = QStringLiteral("empty, a key is the base64 of 32 bytes");
    else if (!decoded)
        why = QStringLiteral("not base64 (a key is the standard base64 of 32 bytes)");
    else if (decoded.decoded.size() != 32)
        why = QStringLiteral("%1 bytes, a key has 32").arg(decoded.decoded.size());
    if (!why.isEmpty()) {
        if (whyNot)
            *whyNot = why;
        return std::nullopt;
    }
    return decoded.decoded;
}

std::optional<QByteArray> keyFromEnvironment()
{
    if (!qEnvironmentVariableIsSet("SUBCOG_ENCRYPTION_KEY"))
        return std::nullopt;
    return keyFromBase64(qgetenv("SUBCOG_ENCRYPTION_KEY"));
}

QString missingKeyReason()
{
    QString why;
    if (qEnvironmentVariableIsSet("SUBCOG_ENCRYPTION_KEY") && !keyFromBase64(qgetenv("SUBCOG_ENCRYPTION_KEY"), &why))
        return QStringLiteral("SUBCOG_ENCRYPTION_KEY is not a valid key: ") + why;
    return QStringLiteral("no key was given (SUBCOG_ENCRYPTION_KEY)");
}

std::optional<QByteArray> decrypt(const QByteArray& file, const QByteArray& key)
{
    if (!isEncrypted(file) || file.size() < kMagicSize + kNonceSize + kTagSize || key.size() != 32)
        return std::nullopt;
    const auto* nonce = reinterpret_cast<const unsigned char*>(file.constData() + kMagicSize);
    const auto* cipher = nonce + kNonceSize;
    const int cipherSize = int(file.size()) - kMagicSize - kNonceSize - kTagSize;
    const auto* tag = cipher + cipherSize;
    Context ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray plain(cipherSize + 16, Qt::Uninitialized);
    int length = 0;
    int finalLength = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1
        || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.constData()),
                              nonce)
            != 1
        || EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &length, cipher, cipherSize)
            != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, const_cast<unsigned char*>(tag)) != 1
        || EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + length, &finalLength) != 1)
        return std::nullopt;
    plain.resize(length + finalLength);
    return plain;
}

QByteArray encrypt(const QByteArray& plain, const QByteArray& key)
{
    if (key.size() != 32)
        throw std::invalid_argument("the key must be 32 bytes");
    QByteArray out(kMagic, kMagicSize);
    unsigned char nonce[kNonceSize];
    if (RAND_bytes(nonce, kNonceSize) != 1)
        throw std::runtime_error("no random bytes for a nonce");
    out.append(reinterpret_cast<const char*>(nonce), kNonceSize);
    Context ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray cipher(plain.size() + 16, Qt::Uninitialized);
    int length = 0;
    int finalLength = 0;
    unsigned char tag[kTagSize];
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1
        || EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key.constData()),
                              nonce)
            != 1
        || EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()), &length,
                             reinterpret_cast<const unsigned char*>(plain.constData()), int(plain.size()))
            != 1
        || EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()) + length, &finalLength) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag) != 1)
        throw std::runtime_error("AES-256-GCM encryption failed");
    cipher.resize(length + finalLength);
    out.append(cipher);
    out.append(reinterpret_cast<const char*>(tag), kTagSize);
    return out;
}

} // namespace Inspector::Encryption
