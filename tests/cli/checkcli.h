// SPDX-License-Identifier: MIT
// Running `subcog-inspector check` and reading its --json lines, for the store-check suites of each backend.
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

#include <algorithm>

namespace Inspector::Testing {

struct CheckRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline CheckRun runCheck(const QString& store, bool json, const QStringList& extra = {},
                         const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    using namespace Qt::StringLiterals;
    QProcess process;
    process.setProcessEnvironment(environment);
    QStringList args {u"check"_s, store};
    if (json)
        args << u"--json"_s;
    process.start(qEnvironmentVariable("INSPECTOR_BINARY"), args + extra);
    CheckRun r;
    if (!process.waitForFinished(120000)) {
        process.kill();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

using ClassAndId = QPair<QString, QString>;

/// The sorted (class, id) pairs of `check --json`'s lines; a null id reads as "(null)". Sets `error` on a bad line.
inline QList<ClassAndId> parseFindings(const QByteArray& jsonLines, QString* error)
{
    using namespace Qt::StringLiterals;
    QList<ClassAndId> result;
    for (const QByteArray& line : jsonLines.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
        const QJsonObject o = doc.object();
        if (!doc.isObject() || !o.value("class"_L1).isString() || !o.value("detail"_L1).isString()
            || !o.value("fix"_L1).isString() || !(o.value("id"_L1).isString() || o.value("id"_L1).isNull())) {
            *error = u"not a finding: "_s + QString::fromUtf8(line);
            return {};
        }
        result.append(
            {o.value("class"_L1).toString(), o.value("id"_L1).isNull() ? u"(null)"_s : o.value("id"_L1).toString()});
    }
    std::sort(result.begin(), result.end());
    return result;
}

/// `check --json STORE` reports exactly `expected` (any order) and exits 0 or 3 accordingly.
inline void expectFindings(const QString& store, QList<ClassAndId> expected, const QStringList& extra = {},
                           const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    const CheckRun r = runCheck(store, true, extra, environment);
    QString error;
    const auto found = parseFindings(r.out, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    std::sort(expected.begin(), expected.end());
    if (found != expected)
        qWarning().noquote() << QString::fromUtf8(r.out);
    QCOMPARE(found, expected);
    QCOMPARE(r.exitCode, expected.isEmpty() ? 0 : 3);
}

} // namespace Inspector::Testing
