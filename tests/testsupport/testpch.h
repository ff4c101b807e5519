// Precompiled for every test program (tests/CMakeLists.txt, inspector_test_pch): Qt Test, Qt Core and Sql and the
// test support headers are about half of a test's compile before its own code. Headers most tests include only.
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "fixturegenerator.h"
#include "postgresserver.h"
#include "sqlite/sqlitebackend.h"
#include "testhelpers.h"
