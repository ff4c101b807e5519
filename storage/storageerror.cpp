// SPDX-License-Identifier: MIT
#include "storageerror.h"

using namespace Qt::StringLiterals;

namespace Inspector {

StorageError::StorageError(Kind kind, QString message, QString detail)
    : m_kind(kind)
    , m_message(std::move(message))
    , m_detail(std::move(detail))
    , m_what(m_message.toUtf8())
{
}

QString StorageError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Storage:
        return u"storage"_s;
    case Kind::NotFound:
        return u"not found"_s;
    case Kind::InvalidInput:
        return u"invalid input"_s;
    case Kind::OperationFailed:
        return u"operation failed"_s;
    case Kind::Cancelled:
        return u"cancelled"_s;
    case Kind::InDoubt:
        return u"outcome unknown"_s;
    case Kind::OutputFailed:
        return u"output failed"_s;
    case Kind::OtherSubcogFile:
        return u"not a memory store"_s;
    }
    return u"error"_s;
}

} // namespace Inspector
