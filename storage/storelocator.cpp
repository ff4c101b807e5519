// SPDX-License-Identifier: MIT
#include "storelocator.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <toml++/toml.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {
QString dataLocalDir()
{
    // directories::BaseDirs::data_local_dir(): $XDG_DATA_HOME if absolute, else ~/.local/share
    const QString xdg = qEnvironmentVariable("XDG_DATA_HOME");
    if (!xdg.isEmpty() && QDir::isAbsolutePath(xdg))
        return xdg;
    return QDir::homePath() + u"/.local/share"_s;
}

QString normaliseBackend(const QString& name)
{
    const QString lower = name.trimmed().toLower();
    if (lower == "filesystem"_L1 || lower == "fs"_L1 || lower == "file"_L1)
        return u"filesystem"_s;
    if (lower == "postgresql"_L1 || lower == "postgres"_L1 || lower == "pg"_L1)
        return u"postgresql"_s;
    if (lower == "redis"_L1)
        return u"redis"_s;
    return u"sqlite"_s;
}
} // namespace

QString expandPath(const QString& path)
{
    QString result = path;
    if (result == "~"_L1 || result.startsWith("~/"_L1))
        result = QDir::homePath() + result.mid(1);
    static const QRegularExpression var(u"\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}"_s);
    QRegularExpressionMatch match;
    qsizetype from = 0;
    while ((match = var.match(result, from)).hasMatch()) {
        const QString value = qEnvironmentVariable(match.captured(1).toUtf8().constData());
        result.replace(match.capturedStart(), match.capturedLength(), value);
        from = match.capturedStart() + value.size();
    }
    return result;
}

SubcogConfig readSubcogConfig()
{
    SubcogConfig config;
    const QString envPath = qEnvironmentVariable("SUBCOG_CONFIG_PATH");
    config.configPath = envPath.isEmpty() ? QDir::homePath() + u"/.config/subcog/config.toml"_s : expandPath(envPath);
    config.dataDir = subcogDefaultDataDir();
    config.backend = u"sqlite"_s;
    config.configExists = QFileInfo(config.configPath).isFile();
    if (config.configExists) {
        try {
            const toml::table table = toml::parse_file(config.configPath.toStdString());
            if (const auto dataDir = table["data_dir"].value<std::string>())
                config.dataDir = expandPath(QString::fromStdString(*dataDir));
            if (const auto backend = table["storage"]["user"]["backend"].value<std::string>())
                config.backend = normaliseBackend(QString::fromStdString(*backend));
            if (const auto url = table["storage"]["user"]["connection_string"].value<std::string>()) {
                config.hasConnectionString = true;
                config.connectionString = QString::fromStdString(*url);
            }
        } catch (const toml::parse_error& error) {
            config.configError = QString::fromUtf8(error.description().data(), qsizetype(error.description().size()));
        }
    }
    const QString envBackend = qEnvironmentVariable("SUBCOG_STORAGE_BACKEND");
    if (!envBackend.isEmpty())
        config.backend = normaliseBackend(envBackend);
    if (qEnvironmentVariableIsSet("SUBCOG_STORAGE_CONNECTION_STRING")) {
        config.hasConnectionString = true;
        config.connectionString = qEnvironmentVariable("SUBCOG_STORAGE_CONNECTION_STRING");
    }
    return config;
}

QList<StoreCandidate> findSubcogStores(const SubcogConfig& config)
{
    QList<StoreCandidate> stores;
    if (config.backend == "postgresql"_L1 && !config.connectionString.isEmpty())
        stores.append(StoreCandidate {config.connectionString, u"subcog's PostgreSQL store"_s});
    auto add = [&](const QString& path, const QString& description) {
        if (QFileInfo(path).isFile())
            stores.append(StoreCandidate {path, description});
    };
    add(config.dataDir + u"/index.db"_s, u"subcog's memory index"_s);
    add(config.dataDir + u"/memories.db"_s, u"subcog's consolidation store"_s);
    add(config.dataDir + u"/org/index.db"_s, u"subcog's org-scope index"_s);
    return stores;
}

QString subcogDefaultDataDir()
{
    return dataLocalDir() + u"/subcog"_s;
}

QString demoStorePath()
{
    return dataLocalDir() + u"/subcog-inspector/demo/index.db"_s;
}

} // namespace Inspector
