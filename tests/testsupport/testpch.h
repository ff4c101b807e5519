// Precompiled for every test program (tests/CMakeLists.txt, inspector_test_pch_core): Qt Test, Core and Sql are up to
// a third of a test's compile. Qt's headers only: a project header here would put its names into every test (a
// test's own GraphEntity met Inspector::GraphEntity), and leaving them out costs nothing measurable.
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
