// SPDX-License-Identifier: MIT
#include "commands.h"

#include "commandline.h"

#include "aboutinfo.h"
#include "demostore.h"
#include "embeddings.h"
#include "exportfile.h"
#include "filesystem/encryption.h"
#include "jsonl.h"
#include "secrets.h"
#include "storelocator.h"
#include "storeopener.h"
#include "transfers.h"
#include "visibletext.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QTimeZone>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Inspector {

namespace CommandLine {

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

/// Standard output written with write(2), unbuffered: a failed write (a full disk, /dev/full) shows at once
/// instead of vanishing in stdio's buffer at exit.
QFile& stdoutFile()
{
    static QFile file;
    if (!file.isOpen())
        file.open(STDOUT_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::DontCloseHandle);
    return file;
}

QTextStream& out()
{
    static QTextStream stream(&stdoutFile());
    return stream;
}

/// Text from a store or the command line made safe for a terminal (withVisibleControls()). Data formats never go
/// through it.
QString shown(const QString& text)
{
    return withVisibleControls(text);
}

QString tr(const char* text)
{
    return QCoreApplication::translate("CommandLine", text);
}

const char* const kHelpTail = QT_TRANSLATE_NOOP(
    "CommandLine",
    "Commands:\n"
    "  (none) [STORE]        open the inspector window on STORE, or on the default store: your subcog\n"
    "                        index if there is one, otherwise a demo store the inspector creates\n"
    "  info [STORE]          describe STORE (or the default store) and count its memories, without a window\n"
    "  count STORE           print the number of memories matching --filter; tombstoned (soft-deleted)\n"
    "                        ones are counted, while the window hides them unless asked\n"
    "  stats STORE           print the store at a glance for --filter: memories by namespace, status,\n"
    "                        week, tag, project, branch and domain; summaries, tombstoned, expired and\n"
    "                        embedding counts (--json: one JSON object)\n"
    "  export STORE          write memories to standard output or -o FILE (--format jsonl, json, csv,\n"
    "                        md, or subcog for subcog's own import format)\n"
    "  get STORE ID...       print these memories as JSON Lines (exit 3 if one does not exist)\n"
    "  check STORE           list damage in a store by class (spec's findings; --json: one object a\n"
    "                        line); exit 3 when something is found, 1 when the store cannot be read\n"
    "  repair STORE          fix the findings of --fix CLASS,... (or --fix all), only for --ids if given;\n"
    "                        first writes a backup and prints its path: SQLite STORE.backup-DATE-TIME.db\n"
    "                        beside it, a folder's DIR.backup-DATE-TIME/ beside it (damaged and temporary\n"
    "                        files are moved there), PostgreSQL JSON Lines in --backup-dir DIR (default\n"
    "                        the current folder); --dry-run prints what would change; --delete\n"
    "                        deletes missing-content rows instead of tombstoning them;\n"
    "                        exit 3 when a memory changed meanwhile or is left for a person (stderr),\n"
    "                        2 for classes only a person can decide (unknown-namespace, bad-time, ...)\n"
    "  empty-trash STORE     hard-delete the tombstoned memories of --older-than DAYS (0: all): prints\n"
    "                        them, writes the repair's backup (as repair), then deletes exactly those\n"
    "                        (rows, full-text rows, edges, vectors, graph mentions); one restored or\n"
    "                        changed meanwhile is kept (exit 3); --dry-run writes nothing; no undo\n"
    "  tombstone-expired STORE  tombstone the live memories whose expires_at has passed: prints them,\n"
    "                        then runs repair --fix expired-active on exactly those (backup as repair)\n"
    "  entities STORE        list the knowledge graph's entities (graph.db beside the store, or\n"
    "                        PostgreSQL's graph tables), most mentioned first (--json: one object a line)\n"
    "  edit STORE            change the memories of --filter and/or --ids, --ids-file (one is needed;\n"
    "                        --filter '' for every memory) in one go:\n"
    "                        --set FIELD=VALUE, --add-tag T, --remove-tag T, --replace FIELD:OLD=NEW;\n"
    "                        prints the first --show N changes (default 20) and the count, then writes\n"
    "                        them in guarded batches; --dry-run writes nothing; exit 3 when a memory was\n"
    "                        refused (the store cannot hold it) or changed by another writer meanwhile\n"
    "  stores                list every store of subcog's on this machine with its memory count, last\n"
    "                        change, layout era and use: the configured ones, the data folder's, and the\n"
    "                        legacy ones subcog v0.6 left behind (data_dir/repos/*/index.db, and\n"
    "                        <repo>/.subcog/index.db under each --scan DIR); --json: one object a line;\n"
    "                        merge one into another with copy SOURCE TARGET --dry-run first\n"
    "  copy SOURCE TARGET    copy memories into TARGET (created if missing) in its own layout, keeping\n"
    "                        ids; --on-conflict skip|overwrite|fail (default fail) for ids TARGET has\n"
    "                        with other values; --dry-run reports what would happen\n"
    "\n"
    "STORE is sqlite:PATH or a subcog SQLite file (index.db); postgresql://... or postgres://...\n"
    "(libpq's PG* variables and ~/.pgpass fill in the rest); fs:DIR or a folder of subcog JSON files\n"
    "(SUBCOG_ENCRYPTION_KEY opens encrypted ones); jsonl:FILE or a FILE.jsonl / FILE.ndjson export,\n"
    "read-only (a copy SOURCE that restores a backup: copy backup.jsonl index.db --on-conflict overwrite).\n"
    "Give a PostgreSQL password in PGPASSWORD or ~/.pgpass rather than in the URL: a command line can be\n"
    "read by every user of the machine until the inspector has started and wiped it.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the store could not be opened or read, or the output could not be written\n"
    "  2  wrong arguments, or a filter with words that were not understood\n"
    "  3  finished, but some records could not be decoded, found or written (listed on stderr)\n"
    "  4  copy stopped at an id TARGET already holds with other values (--on-conflict fail)\n"
    "  5  STORE is one of subcog's files that hold no memories: its prompt library\n"
    "     (~/.config/subcog/memories.db) or its webhook delivery log (webhook_audit.db)\n");

Session::Session()
{
    parser.setApplicationDescription(tr("Browse, search, repair and export subcog memory stores.") + u"\n\n"_s
                                     + tr(kHelpTail));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions(
        {format, output, filter, ids, onConflict, dryRun, keyFile, json, fix, hardDelete, backupDir, scan});
    parser.addOption(olderThan);
    parser.addOptions({set, addTag, removeTag, replace, idsFile, show});
    parser.addPositionalArgument(
        u"command"_s,
        tr("info, count, stats, export, get, copy, check, repair, edit, empty-trash, tombstone-expired, entities, "
           "stores, or a STORE to open."),
        u"[command]"_s);
    parser.addPositionalArgument(u"store"_s, tr("The store."), u"[STORE]"_s);
}

// The options every command opens its store with; the key file is read here so its path never reaches a log.
OpenOptions openOptions(Session& s)
{
    OpenOptions options;
    options.readOnly = true;
    if (s.parser.isSet(s.keyFile)) {
        QFile file(s.parser.value(s.keyFile));
        if (!file.open(QIODevice::ReadOnly))
            throw StorageError(StorageError::Kind::NotFound,
                               file.fileName() + u": cannot read the key file: "_s + fileErrorReason(file));
        // a key is 44 characters; a few KiB at most, so /dev/zero or a large file is refused, not read whole
        constexpr qint64 kMaxKeyFile = 4096;
        const QByteArray text = file.read(kMaxKeyFile + 1);
        if (text.size() > kMaxKeyFile)
            throw StorageError(StorageError::Kind::InvalidInput,
                               file.fileName()
                                   + u": not a key file: more than 4 KiB (a key is 44 characters of base64)"_s);
        QString why;
        const auto key = Encryption::keyFromBase64(text, &why);
        if (!key)
            throw StorageError(StorageError::Kind::InvalidInput, file.fileName() + u": not a valid key: "_s + why);
        options.encryptionKey = *key;
    }
    return options;
}

namespace {
bool g_otherSubcogFile = false; ///< an error reported said STORE is another subcog file: exit 5, not 1
}

void reportError(const StorageError& error)
{
    err() << "subcog-inspector: " << shown(withoutPasswords(error.message())) << Qt::endl;
    if (error.kind() == StorageError::Kind::OtherSubcogFile)
        g_otherSubcogFile = true;
}

std::optional<MemoryFilter> buildFilter(Session& s)
{
    MemoryFilter filter;
    if (s.parser.isSet(s.filter)) {
        const ParsedFilter parsed = parseFilter(s.parser.value(s.filter));
        if (!parsed.notUnderstood.isEmpty()) {
            for (const QString& word : parsed.notUnderstood)
                err() << "subcog-inspector: filter not understood: " << shown(withoutPasswords(word)) << Qt::endl;
            return std::nullopt;
        }
        filter = parsed.filter;
    }
    if (s.parser.isSet(s.ids)) {
        const QStringList ids = s.parser.value(s.ids).split(u',', Qt::SkipEmptyParts);
        // no id at all would select every memory
        if (ids.isEmpty()) {
            err() << "subcog-inspector: --ids names no id" << Qt::endl;
            return std::nullopt;
        }
        filter.ids.append(ids);
    }
    return filter;
}

int commandCount(Session& s, const QString& store)
{
    const auto filter = buildFilter(s);
    if (!filter)
        return ExitUsage;
    try {
        auto backend = openStore(store, openOptions(s));
        out() << backend->count(*filter) << Qt::endl;
        return ExitOk;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

int commandExport(Session& s, const QString& store)
{
    const QString formatName = s.parser.value(s.format);
    const auto format = exportFormatFromName(formatName);
    if (!format) {
        err() << "subcog-inspector: unknown export format '" << shown(formatName)
              << "' (use one of: " << exportFormatNames().join(u", "_s) << ")" << Qt::endl;
        return ExitUsage;
    }
    const auto filter = buildFilter(s);
    if (!filter)
        return ExitUsage;
    try {
        const bool toFile = s.parser.isSet(s.output) && s.parser.value(s.output) != "-"_L1;
        // before the store is even opened: an export onto the store itself would destroy it (exportToFile
        // checks again once it is open: /proc/self/fd/N or /dev/fd/N may then be one of its files)
        if (toFile)
            refuseExportOntoStore(s.parser.value(s.output), StoreSpec::parse(store));
        auto backend = openStore(store, openOptions(s));
        ExportRequest request;
        request.source.query.filter = *filter;
        request.format = *format;
        if (toFile)
            request.path = s.parser.value(s.output);
        else
            request.device = &stdoutFile();
        const QString target = toFile ? request.path : u"standard output"_s;
        const bool showProgress = isatty(STDERR_FILENO) && toFile;
        // the exporter's snapshot nests in the one that says this, which tells a person up front what it costs
        // other processes
        const ExportOutcome outcome = exportToFile(
            *backend, request,
            [&](qint64 written, qint64 expected) {
                if (showProgress)
                    err() << "\rexported " << written << " of " << expected << Qt::flush;
                return true;
            },
            [&](const QString& notice) {
                if (isatty(STDERR_FILENO))
                    err() << "subcog-inspector: note: " << shown(notice) << Qt::endl;
            });
        if (showProgress)
            err() << Qt::endl;
        if (outcome.storeError)
            throw *outcome.storeError;
        if (outcome.end == ExportOutcome::End::OutputFailed)
            throw StorageError(StorageError::Kind::OperationFailed,
                               target + u": cannot write the export: "_s + outcome.outputReason
                                   + (outcome.leftAsItWas ? u"; the file was left as it was"_s : QString()));
        const ExportReport& report = outcome.report;
        for (const RecordIssue& issue : report.skipped)
            err() << "subcog-inspector: skipped " << shown(issue.id) << ": " << shown(issue.reason) << Qt::endl;
        for (const RecordIssue& issue : report.storeIssues + report.warnings)
            err() << "subcog-inspector: warning: " << shown(issue.id) << ": " << shown(issue.reason) << Qt::endl;
        if (!report.skipped.isEmpty()) {
            err() << "subcog-inspector: " << report.written << " of " << report.expected << " memories written; "
                  << report.skipped.size() << " could not be decoded" << Qt::endl;
            return ExitPartial;
        }
        if (!report.warnings.isEmpty())
            err() << "subcog-inspector: " << report.written << " of " << report.expected << " memories written; "
                  << report.warnings.size() << " warnings" << Qt::endl;
        return ExitOk;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

int commandGet(Session& s, const QString& store, const QStringList& ids)
{
    try {
        auto backend = openStore(store, [&] {
            OpenOptions o = openOptions(s);
            o.readOnly = true;
            return o;
        }());
        QList<RecordIssue> issues;
        const QList<Memory> memories = backend->getBatch(ids, &issues);
        QByteArray buffer;
        QSet<QString> found;
        for (const Memory& m : memories) {
            found.insert(m.id);
            if (m.flags & MemoryFlag::Locked) {
                issues << RecordIssue {m.id, u"encrypted, and "_s + Encryption::missingKeyReason(), true};
                continue;
            }
            if (m.flags & MemoryFlag::MissingContent) {
                issues << RecordIssue {m.id, missingContentReason(), true}; // not empty content: as export does
                continue;
            }
            appendJsonLine(buffer, m);
        }
        if (stdoutFile().write(buffer) != buffer.size())
            throw StorageError(StorageError::Kind::OperationFailed,
                               u"standard output: cannot write: "_s + fileErrorReason(stdoutFile()));
        int missing = 0;
        for (const RecordIssue& issue : issues) {
            err() << "subcog-inspector: " << shown(issue.id) << ": " << shown(issue.reason) << Qt::endl;
            found.insert(issue.id);
            ++missing;
        }
        for (const QString& id : ids) {
            if (!found.contains(id)) {
                err() << "subcog-inspector: " << shown(id) << ": no memory with this id" << Qt::endl;
                ++missing;
            }
        }
        return missing ? ExitPartial : ExitOk;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

// What a copy did with the embeddings and edges around the memories; what it left behind is a warning on stderr.
void printAroundCopy(const CopyReport& r)
{
    const char* carried = r.dryRun ? " would be carried, " : " carried, ";
    const char* notCarried = r.dryRun ? " would not be carried" : " not carried";
    const qint64 embeddingsLeft = r.embeddingsNotCarried + r.embeddingsUnreadable + r.embeddingsRefused.size();
    if (r.embeddingsCarried || embeddingsLeft)
        out() << "embeddings: " << r.embeddingsCarried << carried << embeddingsLeft << notCarried << Qt::endl;
    const qint64 edgesLeft = r.edgesNotCarried + r.edgesDangling;
    if (r.edgesCarried || edgesLeft)
        out() << "edges: " << r.edgesCarried << carried << edgesLeft << notCarried << Qt::endl;
    for (const RecordIssue& issue : r.embeddingsRefused)
        err() << "subcog-inspector: embedding" << notCarried << ": " << shown(issue.id) << ": " << shown(issue.reason)
              << Qt::endl;
    if (r.embeddingsNotCarried)
        err() << "subcog-inspector: warning: " << r.embeddingsNotCarried << " embeddings" << notCarried
              << " (target cannot hold them: " << shown(r.embeddingsNotCarriedReason) << ")" << Qt::endl;
    if (r.embeddingsUnreadable)
        err() << "subcog-inspector: warning: " << r.embeddingsUnreadable << " embeddings" << notCarried << " ("
              << shown(r.embeddingsUnreadableReason) << ")" << Qt::endl;
    if (r.edgesNotCarried)
        err() << "subcog-inspector: warning: " << r.edgesNotCarried << " edges" << notCarried
              << " (target has no memory_edges table)" << Qt::endl;
    if (r.edgesDangling)
        err() << "subcog-inspector: warning: " << r.edgesDangling << " edges" << notCarried
              << " (an end of the edge was not copied)" << Qt::endl;
}

int commandCopy(Session& s, const QString& source, const QString& target)
{
    const auto filter = buildFilter(s);
    if (!filter)
        return ExitUsage;
    const auto policy = onConflictFromName(s.parser.value(s.onConflict));
    if (!policy) {
        err() << "subcog-inspector: --on-conflict takes skip, overwrite or fail" << Qt::endl;
        return ExitUsage;
    }
    const bool dryRun = s.parser.isSet(s.dryRun);
    try {
        // read once: a key file may be a pipe (--key-file <(...)) that is empty the second time
        const OpenOptions options = openOptions(s);
        OpenOptions readOptions = options;
        readOptions.readOnly = true;
        auto from = openStore(source, readOptions);
        CopyRequest request;
        request.source.query.filter = *filter;
        request.target = target;
        request.onConflict = *policy;
        request.dryRun = dryRun;
        request.targetOptions = options;
        const bool showProgress = isatty(STDERR_FILENO);
        // the copier's snapshot of the source nests in the one that says this, which tells a person up front what it
        // costs others
        const CopyOutcome outcome = copyToStore(
            *from, request,
            [&](const CopyReport& soFar) {
                if (showProgress)
                    err() << "\r" << (dryRun ? "checked " : "copied ") << soFar.read << " of " << soFar.expected
                          << Qt::flush;
                return true;
            },
            [&](const QString& notice) {
                if (isatty(STDERR_FILENO))
                    err() << "subcog-inspector: note: " << shown(notice) << Qt::endl;
            });
        if (outcome.end == CopyOutcome::End::SameStore) {
            err() << "subcog-inspector: SOURCE and TARGET are the same store" << Qt::endl;
            return ExitUsage;
        }
        const CopyReport& report = outcome.report;
        if (showProgress)
            err() << Qt::endl;
        for (const RecordIssue& issue : report.failed)
            err() << "subcog-inspector: not copied: " << shown(issue.id) << ": " << shown(issue.reason) << Qt::endl;
        for (const RecordIssue& issue : report.warnings)
            err() << "subcog-inspector: warning: " << shown(issue.id) << ": " << shown(issue.reason) << Qt::endl;
        out() << (dryRun ? "dry run, nothing written: " : "") << report.read << " of " << report.expected << " read; "
              << report.created << (dryRun ? " would be created, " : " created, ") << report.overwritten
              << (dryRun ? " would be overwritten, " : " overwritten, ") << report.unchanged << " already equal, "
              << report.skipped << " skipped (in the target with other values), " << report.failed.size() << " failed"
              << (report.warnings.isEmpty()
                      ? QString()
                      : u", "_s + QString::number(report.warnings.size()) + u" warnings (listed on stderr)"_s)
              << Qt::endl;
        printAroundCopy(report);
        if (!report.stoppedAt.isEmpty()) {
            err() << "subcog-inspector: stopped at " << shown(report.stoppedAt)
                  << ": the target holds it with other values (use --on-conflict skip or overwrite); the batch "
                     "holding it was not written"
                  << Qt::endl;
            return ExitConflict;
        }
        // what a target cannot hold is reported, not a failure; an embedding it refused is one
        return report.failed.isEmpty() && report.embeddingsRefused.isEmpty() ? ExitOk : ExitPartial;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

int commandOpen(const QString& store)
{
    try {
        QString spec = store;
        QString origin;
        if (spec.isEmpty()) {
            const SubcogConfig config = readSubcogConfig();
            if (!config.configError.isEmpty())
                err() << "subcog-inspector: warning: " << shown(config.configPath) << ": " << shown(config.configError)
                      << Qt::endl;
            const QList<StoreCandidate> found = findSubcogStores(config);
            if (!found.isEmpty()) {
                spec = found.first().spec;
                origin = found.first().description;
            } else {
                spec = demoStorePath();
                origin = ensureDemoStore(spec) ? tr("demo store, created now (no subcog store found)")
                                               : tr("demo store (no subcog store found)");
            }
        }
        OpenOptions readOnly;
        readOnly.readOnly = true;
        auto backend = openStore(spec, readOnly);
        out() << tr("Store: ") << shown(withoutPasswords(backend->location()))
              << (origin.isEmpty() ? QString() : u" ("_s + shown(origin) + u')') << Qt::endl;
        for (const QString& line : backend->describeLayout())
            out() << "  " << shown(line) << Qt::endl;
        out() << tr("Memories: ") << backend->count() << Qt::endl;
        // streamed: a vectors.idx of gigabytes is read in pieces, never held
        QString noEmbeddings;
        if (const auto coverage = embeddingCoverage(*backend, {}, &noEmbeddings)) {
            out() << tr("Embeddings: in ") << shown(coverage->where) << Qt::endl;
            out() << tr("  memories with an embedding: ") << coverage->withEmbedding << Qt::endl;
            out() << tr("  live memories without one: ") << coverage->liveWithout << Qt::endl;
            out() << tr("  vectors without a memory: ")
                  << (coverage->orphans ? QString::number(*coverage->orphans)
                                        : tr("none can exist (each is in its memory's record)"))
                  << Qt::endl;
            if (!coverage->problem.isEmpty())
                out() << tr("  not read to the end: ") << shown(coverage->problem) << Qt::endl;
        } else {
            out() << tr("Embeddings: none (") << shown(noEmbeddings) << ')' << Qt::endl;
        }
        return ExitOk;
    } catch (const StorageError& error) {
        reportError(error);
        return ExitError;
    }
}

} // namespace CommandLine

using namespace CommandLine;

void hidePasswordsInArguments(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QString argument = QString::fromLocal8Bit(argv[i]);
        const QString hidden = withoutPasswords(argument);
        if (hidden == argument)
            continue;
        // in place, as mysql does: /proc/PID/cmdline shows this very memory
        const size_t size = std::strlen(argv[i]);
        const QByteArray bytes = hidden.toLocal8Bit();
        if (size_t(bytes.size()) <= size) {
            std::memcpy(argv[i], bytes.constData(), size_t(bytes.size()));
            std::memset(argv[i] + bytes.size(), 0, size - size_t(bytes.size()));
        } else {
            std::memset(argv[i], 'x', size);
        }
    }
}

bool isHeadless(const QStringList& arguments)
{
    Session s;
    if (!s.parser.parse(QStringList {u"subcog-inspector"_s} + arguments))
        return true; // the command line reports the error
    if (s.parser.isSet(u"help"_s) || s.parser.isSet(u"version"_s))
        return true;
    const QStringList positional = s.parser.positionalArguments();
    const QString command = positional.value(0);
    return positional.size() > 1 || command == "count"_L1 || command == "stats"_L1 || command == "export"_L1
        || command == "info"_L1 || command == "get"_L1 || command == "copy"_L1 || command == "check"_L1
        || command == "repair"_L1 || command == "entities"_L1 || command == "stores"_L1 || command == "empty-trash"_L1
        || command == "tombstone-expired"_L1 || command == "edit"_L1;
}

QString windowStoreArgument(const QStringList& arguments)
{
    Session s;
    s.parser.parse(QStringList {u"subcog-inspector"_s} + arguments);
    return s.parser.positionalArguments().value(0);
}

namespace {

int dispatch(const QStringList& arguments)
{
    Session s;
    if (!s.parser.parse(QStringList {QCoreApplication::applicationName()} + arguments)) {
        err() << "subcog-inspector: " << shown(withoutPasswords(s.parser.errorText())) << Qt::endl;
        return ExitUsage;
    }
    if (s.parser.isSet(u"help"_s)) {
        out() << s.parser.helpText();
        return ExitOk;
    }
    if (s.parser.isSet(u"version"_s)) {
        out() << aboutText() << Qt::endl;
        return ExitOk;
    }
    const QStringList positional = s.parser.positionalArguments();
    const QString command = positional.value(0);
    if (command == "count"_L1 || command == "export"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: " << shown(command) << " needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return command == "count"_L1 ? commandCount(s, positional[1]) : commandExport(s, positional[1]);
    }
    if (command == "stats"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: stats needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandStats(s, positional[1]);
    }
    if (command == "get"_L1) {
        if (positional.size() < 3) {
            err() << "subcog-inspector: get needs a STORE and at least one ID (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandGet(s, positional[1], positional.mid(2));
    }
    if (command == "copy"_L1) {
        if (positional.size() != 3) {
            err() << "subcog-inspector: copy needs exactly a SOURCE and a TARGET (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandCopy(s, positional[1], positional[2]);
    }
    if (command == "check"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: check needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandCheck(s, positional[1]);
    }
    if (command == "repair"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: repair needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandRepair(s, positional[1]);
    }
    if (command == "empty-trash"_L1 || command == "tombstone-expired"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: " << command << " needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return command == "empty-trash"_L1 ? commandEmptyTrash(s, positional[1])
                                           : commandTombstoneExpired(s, positional[1]);
    }
    if (command == "edit"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: edit needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandEdit(s, positional[1]);
    }
    if (command == "entities"_L1) {
        if (positional.size() != 2) {
            err() << "subcog-inspector: entities needs exactly one STORE (see --help)" << Qt::endl;
            return ExitUsage;
        }
        return commandEntities(s, positional[1]);
    }
    if (command == "stores"_L1) {
        if (positional.size() != 1) {
            err() << "subcog-inspector: stores takes no STORE; --scan DIR adds a folder to search (see --help)"
                  << Qt::endl;
            return ExitUsage;
        }
        return commandStores(s);
    }
    if (command == "info"_L1 && positional.size() <= 2)
        return commandOpen(positional.value(1));
    if (positional.size() > 1) {
        err() << "subcog-inspector: unknown command '" << shown(withoutPasswords(command)) << "' (see --help)"
              << Qt::endl;
        return ExitUsage;
    }
    // reached only without a window (isHeadless() sends the rest there): describe the store instead
    return commandOpen(command);
}

} // namespace

int runCommandLine(const QStringList& arguments)
{
    int code = dispatch(arguments);
    if (code == ExitError && g_otherSubcogFile)
        code = ExitOtherFile; // every command fails the same way on these files; said once, here
    // what a command printed must have arrived: a full disk or /dev/full is a failure, whatever the command did
    out().flush();
    if (out().status() == QTextStream::Ok || code == ExitError || code == ExitUsage)
        return code;
    err() << "subcog-inspector: standard output: cannot write: " << shown(fileErrorReason(stdoutFile())) << Qt::endl;
    return ExitError;
}

} // namespace Inspector
