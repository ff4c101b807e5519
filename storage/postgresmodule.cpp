// SPDX-License-Identifier: MIT
#include "postgresmodule.h"

#include "persistencebackend.h"
#include "storageerror.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <dlfcn.h>

using namespace Qt::StringLiterals;

// Defined by the module (storage/postgres/postgresmoduleentry.cpp). Weak: null in the program, which loads the
// module; set where the PostgreSQL code is linked in (the module itself, the tests), which then load nothing.
extern "C" const Inspector::PostgresModule* subcog_inspector_postgres_module() __attribute__((weak));

namespace Inspector {

namespace {

const char kEntry[] = "subcog_inspector_postgres_module";

const PostgresModule* load()
{
    if (subcog_inspector_postgres_module)
        return subcog_inspector_postgres_module();
    const QString path = postgresModulePath();
    // RTLD_LOCAL: the module carries its own copy of the storage code, which must not stand in for the program's
    void* handle = dlopen(QFile::encodeName(path).constData(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        // dlerror() names the file and why: "…/subcog-inspector-postgres.so: cannot open shared object file: …"
        throw StorageError(StorageError::Kind::OperationFailed,
                           u"PostgreSQL support is not installed: "_s + QString::fromLocal8Bit(dlerror()));
    using Entry = const PostgresModule* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, kEntry));
    if (!entry)
        throw StorageError(StorageError::Kind::OperationFailed,
                           u"PostgreSQL support is not installed: "_s + path + u" is not the inspector's module: "_s
                               + QString::fromLocal8Bit(dlerror()));
    return entry(); // the handle stays open: the module's code runs until the program ends
}

} // namespace

QString postgresModulePath()
{
    // the program's directory: bin/ installed, build/<preset>/app|tests|bench in a build tree
    QString dir;
    if (QCoreApplication::instance())
        dir = QCoreApplication::applicationDirPath();
    else
        dir = QFileInfo(QFile::symLinkTarget(u"/proc/self/exe"_s)).absolutePath();
    return QDir::cleanPath(dir + u"/../lib/subcog-inspector/subcog-inspector-postgres.so"_s);
}

const PostgresModule& postgresModule()
{
    // a throwing initialiser leaves it unset, so a later call tries again; C++ makes the first one thread-safe
    static const PostgresModule* const module = load();
    return *module;
}

bool isPostgresStore(const PersistenceBackend& store)
{
    return store.kind() == "postgres"_L1;
}

} // namespace Inspector
