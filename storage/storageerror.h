// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <exception>

namespace Inspector {

/// The typed error every backend throws; nothing from Qt Sql or libpqxx escapes a backend.
class StorageError : public std::exception
{
public:
    enum class Kind
    {
        Storage, ///< transient: busy/locked database, lost connection; retried with backoff
        NotFound, ///< the store (file, folder, database) does not exist
        InvalidInput, ///< the caller's data or the store's layout cannot be used as asked
        OperationFailed, ///< any other failure; not retried
        Cancelled, ///< the call stopped because it was asked to (PersistenceBackend::interrupt); not retried
        InDoubt, ///< the connection went during a commit: it may or may not have happened; not retried blindly
        OutputFailed, ///< writing the output (an export file, stdout) failed, not the store; not retried
        /// the file is one of subcog's files that hold no memories (its prompt library, its webhook delivery log);
        /// the message says which (storage/subcogfiles.h)
        OtherSubcogFile,
    };

    StorageError(Kind kind, QString message, QString detail = {});

    Kind kind() const { return m_kind; }
    /// One line a person can act on: what failed, on which store or record, and why.
    const QString& message() const { return m_message; }
    /// Driver text, SQL, error codes: for logs, never containing passwords.
    const QString& detail() const { return m_detail; }
    const char* what() const noexcept override { return m_what.constData(); }

    static QString kindName(Kind kind);

private:
    Kind m_kind;
    QString m_message;
    QString m_detail;
    QByteArray m_what;
};

} // namespace Inspector
