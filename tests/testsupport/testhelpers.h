// SPDX-License-Identifier: MIT
#pragma once

#include "fixturegenerator.h"
#include "persistencebackend.h"

#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>

namespace Inspector::Testing {

/// The backend kind this process tests: INSPECTOR_CONTRACT_BACKEND (default `sqlite`).
QString backendUnderTest();

/// A fresh, empty store of the backend under test inside `dir`; QSKIP-worthy reasons come back in `skipReason`.
std::unique_ptr<PersistenceBackend> createEmptyStore(const QTemporaryDir& dir, QString* skipReason);

/// Opens the same store again (a second connection), read-only or not.
std::unique_ptr<PersistenceBackend> reopen(const PersistenceBackend& backend, bool readOnly);

/// Runs SQL on the store through a connection of its own, as another program would; returns the first value.
QString sqlOnStore(const PersistenceBackend& backend, const QString& sql);

/// As a newer subcog would: adds a field the inspector does not know to every stored memory, with `value`.
void addUnknownField(const PersistenceBackend& backend, const QString& name, const QString& value);
/// That field's value for one memory, read behind the backend's back.
QString unknownField(const PersistenceBackend& backend, const QString& id, const QString& name);

/// Reads a JSON Lines buffer into objects keyed by id; duplicate ids make the result empty and set `error`.
QHash<QString, QJsonObject> parseJsonLines(const QByteArray& data, QString* error = nullptr);

/// Field-by-field differences between two export records, one line each ("content: a != b").
QStringList diffRecords(const QJsonObject& actual, const QJsonObject& expected);

/// SHA-256 of a file's bytes, to check that a store was not changed.
QByteArray fileHash(const QString& path);

/// A memory with every field set, for round-trip tests.
Memory sampleMemory(const QString& id, qint64 createdAt = 1767000000);

} // namespace Inspector::Testing
