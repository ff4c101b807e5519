// SPDX-License-Identifier: MIT
// What the headless commands (commands.cpp, healthcommands.cpp) share: the parsed command line, the terminal
// streams and the store options. Internal to app/.
#pragma once

#include "commands.h"
#include "query.h"
#include "storeopener.h"

#include <QCommandLineParser>
#include <QTextStream>

#include <optional>

namespace Inspector::CommandLine {

using namespace Qt::StringLiterals;

QTextStream& err();
QTextStream& out();
/// Text from a store or the command line made safe for a terminal (control characters shown as \xNN).
QString shown(const QString& text);
QString tr(const char* text);

struct Session
{
    QCommandLineParser parser;
    QCommandLineOption format {u"format"_s, tr("Export format: jsonl, json, csv, md or subcog (subcog's own NDJSON)."),
                               u"FORMAT"_s, u"jsonl"_s};
    QCommandLineOption output {{u"o"_s, u"output"_s}, tr("Write the export to FILE (atomically)."), u"FILE"_s};
    QCommandLineOption filter {u"filter"_s, tr("Only memories matching QUERY (subcog's filter language)."), u"QUERY"_s};
    QCommandLineOption ids {u"ids"_s, tr("Only the memories with these comma-separated ids."), u"ID,..."_s};
    QCommandLineOption onConflict {u"on-conflict"_s,
                                   tr("copy: what to do with ids TARGET already has with other values: skip, "
                                      "overwrite or fail."),
                                   u"WHAT"_s, u"fail"_s};
    QCommandLineOption dryRun {u"dry-run"_s, tr("copy, repair: report what would be done, write nothing.")};
    QCommandLineOption fix {u"fix"_s, tr("repair: the finding classes to fix (comma-separated, or all)."),
                            u"CLASS,..."_s};
    QCommandLineOption hardDelete {u"delete"_s, tr("repair: delete missing-content rows instead of tombstoning them.")};
    QCommandLineOption backupDir {
        u"backup-dir"_s, tr("repair: where a PostgreSQL store's backup goes (default: the current folder)."), u"DIR"_s};
    QCommandLineOption json {
        u"json"_s, tr("check, entities: one JSON object per finding or entity and line; stats: one JSON object.")};
    QCommandLineOption keyFile {u"key-file"_s,
                                tr("Base64 key (32 bytes) for encrypted folder stores, read from FILE; "
                                   "otherwise SUBCOG_ENCRYPTION_KEY."),
                                u"FILE"_s};

    // edit
    QCommandLineOption set {u"set"_s,
                            tr("edit: set FIELD (namespace, status, domain, project_id, branch, expires_at) to VALUE; "
                               "an empty VALUE clears an optional field. Repeatable."),
                            u"FIELD=VALUE"_s};
    QCommandLineOption addTag {u"add-tag"_s, tr("edit: add this tag. Repeatable."), u"TAG"_s};
    QCommandLineOption removeTag {u"remove-tag"_s, tr("edit: remove this tag. Repeatable."), u"TAG"_s};
    QCommandLineOption replace {
        u"replace"_s, tr("edit: replace OLD by NEW in FIELD (project_id, branch, file_path, source). Repeatable."),
        u"FIELD:OLD=NEW"_s};
    QCommandLineOption idsFile {u"ids-file"_s, tr("edit: the memories with the ids in FILE, one a line."), u"FILE"_s};
    QCommandLineOption show {u"show"_s, tr("edit: how many changes to print before and after (default 20)."), u"N"_s};

    Session();
};

OpenOptions openOptions(Session& s);
void reportError(const StorageError& error);
std::optional<MemoryFilter> buildFilter(Session& s);

// healthcommands.cpp
int commandStats(Session& s, const QString& store);
int commandCheck(Session& s, const QString& storeArgument);
int commandRepair(Session& s, const QString& storeArgument);
// editcommand.cpp
int commandEdit(Session& s, const QString& store);
// entitiescommand.cpp
int commandEntities(Session& s, const QString& store);

} // namespace Inspector::CommandLine
