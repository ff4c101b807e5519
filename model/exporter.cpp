// SPDX-License-Identifier: MIT
#include "exporter.h"

#include "filesystem/encryption.h"
#include "jsonl.h"
#include "memoryfields.h"
#include "recordtranscoder.h"

#include <QFileDevice>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#ifdef Q_OS_LINUX
#include <fcntl.h>
#endif

using namespace Qt::StringLiterals;

namespace Inspector {

namespace {

/**
 * Writes the export on a thread of its own, so that the copy into the page cache and the disk's writeback overlap
 * with reading and encoding. For a file on Linux it also starts the kernel writing every few megabytes: otherwise
 * all of a large export waits for the final fdatasync of QSaveFile::commit (a second or more at 500 MB). At most
 * kMaxQueued chunks wait, so memory stays bounded; the device is touched by the writer thread only until finish().
 */
class DeviceWriter
{
public:
    explicit DeviceWriter(QIODevice& out)
        : m_out(out)
        , m_file(qobject_cast<QFileDevice*>(&out))
        , m_thread([this] { run(); })
    {
    }
    ~DeviceWriter() { stop(); }
    DeviceWriter(const DeviceWriter&) = delete;
    DeviceWriter& operator=(const DeviceWriter&) = delete;

    /// Queues bytes (shared, not copied); throws the writer's error, if it had one.
    void write(const QByteArray& bytes)
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [&] { return m_queue.size() < kMaxQueued || !m_error.isEmpty(); });
        throwIfFailed();
        m_queue.push_back(bytes);
        m_wake.notify_all();
    }

    /// Waits until everything queued is written; throws the writer's error, if it had one.
    void finish()
    {
        stop();
        std::unique_lock lock(m_mutex);
        throwIfFailed();
    }

private:
    static constexpr size_t kMaxQueued = 4;
    static constexpr qint64 kWritebackChunk = 8 << 20;

    void throwIfFailed()
    {
        if (!m_error.isEmpty())
            throw StorageError(StorageError::Kind::OutputFailed, u"writing the export failed: "_s + m_error);
    }

    void stop()
    {
        {
            std::unique_lock lock(m_mutex);
            m_done = true;
            m_wake.notify_all();
        }
        if (m_thread.joinable())
            m_thread.join();
    }

    void run()
    {
        qint64 synced = 0;
        qint64 unsynced = 0;
        for (;;) {
            QByteArray chunk;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [&] { return !m_queue.empty() || m_done; });
                if (m_queue.empty())
                    return;
                chunk = std::move(m_queue.front());
                m_queue.pop_front();
                m_wake.notify_all();
                if (!m_error.isEmpty())
                    continue; // drained without writing after a failure
            }
            // a short write (a disk that fills up mid-chunk) sets no error: writing the rest reports the reason
            qint64 done = 0;
            for (qint64 n = 0; done < chunk.size(); done += n) {
                n = m_out.write(chunk.constData() + done, chunk.size() - done);
                if (n <= 0)
                    break;
            }
            if (done != chunk.size()) {
                std::unique_lock lock(m_mutex);
                m_error = m_out.errorString();
                m_wake.notify_all();
                continue;
            }
#ifdef Q_OS_LINUX
            unsynced += chunk.size();
            if (m_file && unsynced >= kWritebackChunk && m_file->flush() && m_file->handle() >= 0) {
                const qint64 end = m_file->pos();
                // only starts the writeback; errors surface at commit's fdatasync
                ::sync_file_range(m_file->handle(), synced, end - synced, SYNC_FILE_RANGE_WRITE);
                synced = end;
                unsynced = 0;
            }
#else
            Q_UNUSED(synced);
            Q_UNUSED(unsynced);
#endif
        }
    }

    QIODevice& m_out;
    QFileDevice* m_file;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<QByteArray> m_queue;
    QString m_error;
    bool m_done = false;
    std::thread m_thread; ///< last: starts once the rest is constructed
};

struct FormatInfo
{
    ExportFormat format;
    const char* name;
    const char* suffix;
};
constexpr FormatInfo kFormats[] = {
    {ExportFormat::JsonLines, "jsonl", "jsonl"}, {ExportFormat::Json, "json", "json"},
    {ExportFormat::Csv, "csv", "csv"},           {ExportFormat::Markdown, "md", "md"},
    {ExportFormat::Subcog, "subcog", "ndjson"},  {ExportFormat::Tsv, "tsv", "tsv"},
};

/// The columns of the tabular formats: the full-fidelity record's keys, in its order.
const MemoryColumn kTableColumns[] = {
    MemoryColumn::Id,
    MemoryColumn::Content,
    MemoryColumn::Namespace,
    MemoryColumn::Domain,
    MemoryColumn::Project,
    MemoryColumn::Branch,
    MemoryColumn::FilePath,
    MemoryColumn::Status,
    MemoryColumn::CreatedAt,
    MemoryColumn::UpdatedAt,
    MemoryColumn::TombstonedAt,
    MemoryColumn::ExpiresAt,
    MemoryColumn::Tags,
    MemoryColumn::Source,
    MemoryColumn::IsSummary,
    MemoryColumn::SourceMemoryIds,
    MemoryColumn::ConsolidatedAt,
    MemoryColumn::GroupId,
};

/// A cell of the tabular formats: raw values (seconds, not local times), lists joined by commas, null empty.
QString cellText(const Memory& m, MemoryColumn column)
{
    const QVariant raw = MemoryFields::rawValue(m, column);
    if (raw.isNull())
        return {};
    if (raw.metaType().id() == QMetaType::QStringList)
        return raw.toStringList().join(u',');
    if (raw.metaType().id() == QMetaType::Bool)
        return raw.toBool() ? u"true"_s : u"false"_s;
    if (column == MemoryColumn::Domain && m.domain.isEmpty())
        return u"project"_s;
    return raw.toString();
}

/// The header row of the tabular formats: the field names, joined by the separator.
QByteArray headerLine(QChar separator)
{
    QStringList names;
    for (const MemoryColumn c : kTableColumns)
        names << MemoryFields::fieldName(c);
    return names.join(separator).toUtf8();
}

class JsonLinesEncoder : public RecordEncoder
{
public:
    void record(QByteArray& out, const Memory& m) override { appendJsonLine(out, m); }
    bool takesJsonLines() const override { return true; }
    void records(QByteArray& out, QByteArrayView jsonLines, const std::function<void()>& spill) override
    {
        for (qsizetype at = 0; at < jsonLines.size(); at += RecordTranscoder::kChunk) {
            out.append(jsonLines.sliced(at, qMin(RecordTranscoder::kChunk, jsonLines.size() - at)));
            if (spill && out.size() >= RecordTranscoder::kChunk)
                spill();
        }
    }
};

class SubcogEncoder : public RecordEncoder
{
public:
    void record(QByteArray& out, const Memory& m) override { appendSubcogExportLine(out, m); }
    bool takesJsonLines() const override { return true; }
    void records(QByteArray& out, QByteArrayView jsonLines, const std::function<void()>& spill) override
    {
        m_transcoder.subcog(out, jsonLines, spill);
    }

private:
    RecordTranscoder m_transcoder;
};

class JsonArrayEncoder : public RecordEncoder
{
public:
    void begin(QByteArray& out) override { out.append('['); }
    void record(QByteArray& out, const Memory& m) override
    {
        out.append(m_first ? "\n" : ",\n");
        m_first = false;
        appendJsonObject(out, m);
    }
    bool takesJsonLines() const override { return true; }
    void records(QByteArray& out, QByteArrayView jsonLines, const std::function<void()>& spill) override
    {
        // one object a line: a JSON string never holds a raw line break
        out.reserve(out.size() + jsonLines.size() + jsonLines.size() / 64);
        while (!jsonLines.isEmpty()) {
            qsizetype end = jsonLines.indexOf('\n');
            if (end < 0)
                end = jsonLines.size();
            out.append(m_first ? "\n" : ",\n", m_first ? 1 : 2);
            m_first = false;
            // a large object goes out in chunks rather than as a second whole copy
            for (qsizetype at = 0; at < end; at += RecordTranscoder::kChunk) {
                out.append(jsonLines.sliced(at, qMin(RecordTranscoder::kChunk, end - at)));
                if (spill && out.size() >= RecordTranscoder::kChunk)
                    spill();
            }
            jsonLines = jsonLines.sliced(qMin(end + 1, jsonLines.size()));
        }
    }
    void end(QByteArray& out) override { out.append(m_first ? "]\n" : "\n]\n"); }

private:
    bool m_first = true;
};

class CsvEncoder : public RecordEncoder
{
public:
    void begin(QByteArray& out) override { out.append(headerLine(u',') + "\r\n"); }
    void record(QByteArray& out, const Memory& m) override
    {
        bool first = true;
        for (const MemoryColumn c : kTableColumns) {
            if (!first)
                out.append(',');
            first = false;
            const QString text = cellText(m, c);
            // RFC 4180: quote a field with a comma, quote or line break; double the quotes inside
            if (text.contains(u',') || text.contains(u'"') || text.contains(u'\n') || text.contains(u'\r')) {
                out.append('"');
                out.append(QString(text).replace(u"\""_s, u"\"\""_s).toUtf8());
                out.append('"');
            } else {
                out.append(text.toUtf8());
            }
        }
        out.append("\r\n");
    }
    bool takesJsonLines() const override { return true; }
    void records(QByteArray& out, QByteArrayView jsonLines, const std::function<void()>& spill) override
    {
        m_transcoder.csv(out, jsonLines, spill);
    }

private:
    RecordTranscoder m_transcoder;
};

class TsvEncoder : public RecordEncoder
{
public:
    void begin(QByteArray& out) override { out.append(headerLine(u'\t') + '\n'); }
    void record(QByteArray& out, const Memory& m) override
    {
        QStringList cells;
        for (const MemoryColumn c : kTableColumns) {
            // tabs and line breaks would split the cell: escaped as spreadsheets' TSV readers expect
            cells << cellText(m, c)
                         .replace(u"\\"_s, u"\\\\"_s)
                         .replace(u"\t"_s, u"\\t"_s)
                         .replace(u"\r"_s, u"\\r"_s)
                         .replace(u"\n"_s, u"\\n"_s);
        }
        out.append(cells.join(u'\t').toUtf8());
        out.append('\n');
    }
};

class MarkdownEncoder : public RecordEncoder
{
public:
    void record(QByteArray& out, const Memory& m) override
    {
        QString text = u"## "_s + m.id + u"\n\n| Field | Value |\n| --- | --- |\n"_s;
        for (const MemoryColumn c : kTableColumns) {
            if (c == MemoryColumn::Id || c == MemoryColumn::Content)
                continue;
            QString value = cellText(m, c);
            if (value.isEmpty())
                continue;
            const QVariant raw = MemoryFields::rawValue(m, c);
            if (raw.metaType().id() == QMetaType::LongLong && c != MemoryColumn::IsSummary)
                value = MemoryFields::formatTime(raw.toLongLong()) + u" (`"_s + value + u"`)"_s;
            value.replace(u"|"_s, u"\\|"_s).replace(u"\r"_s, u" "_s).replace(u"\n"_s, u" "_s);
            text += u"| "_s + MemoryFields::fieldName(c) + u" | "_s + value + u" |\n"_s;
        }
        // the content verbatim in a fence longer than any run of backticks inside it
        int longest = 0;
        int run = 0;
        for (const QChar ch : m.content) {
            run = ch == u'`' ? run + 1 : 0;
            longest = qMax(longest, run);
        }
        const QString fence(qMax(3, longest + 1), u'`');
        text += u"\n"_s + fence + u"markdown\n"_s + m.content + (m.content.endsWith(u'\n') ? u""_s : u"\n"_s) + fence
            + u"\n\n"_s;
        out.append(text.toUtf8());
    }
    bool takesJsonLines() const override { return true; }
    void records(QByteArray& out, QByteArrayView jsonLines, const std::function<void()>& spill) override
    {
        m_transcoder.markdown(out, jsonLines, spill);
    }

private:
    RecordTranscoder m_transcoder;
};

} // namespace

std::optional<ExportFormat> exportFormatFromName(const QString& name)
{
    for (const FormatInfo& f : kFormats) {
        if (name.compare(QLatin1StringView(f.name), Qt::CaseInsensitive) == 0)
            return f.format;
    }
    if (name.compare(u"markdown"_s, Qt::CaseInsensitive) == 0)
        return ExportFormat::Markdown;
    if (name.compare(u"ndjson"_s, Qt::CaseInsensitive) == 0)
        return ExportFormat::Subcog;
    return std::nullopt;
}

QString exportFormatName(ExportFormat format)
{
    for (const FormatInfo& f : kFormats) {
        if (f.format == format)
            return QString::fromLatin1(f.name);
    }
    return {};
}

QString exportFormatSuffix(ExportFormat format)
{
    for (const FormatInfo& f : kFormats) {
        if (f.format == format)
            return QString::fromLatin1(f.suffix);
    }
    return {};
}

QStringList exportFormatNames()
{
    return {u"jsonl"_s, u"json"_s, u"csv"_s, u"md"_s, u"subcog"_s};
}

RecordEncoder::~RecordEncoder() = default;

std::unique_ptr<RecordEncoder> RecordEncoder::create(ExportFormat format)
{
    switch (format) {
    case ExportFormat::JsonLines:
        return std::make_unique<JsonLinesEncoder>();
    case ExportFormat::Json:
        return std::make_unique<JsonArrayEncoder>();
    case ExportFormat::Csv:
        return std::make_unique<CsvEncoder>();
    case ExportFormat::Markdown:
        return std::make_unique<MarkdownEncoder>();
    case ExportFormat::Subcog:
        return std::make_unique<SubcogEncoder>();
    case ExportFormat::Tsv:
        return std::make_unique<TsvEncoder>();
    }
    return std::make_unique<JsonLinesEncoder>();
}

QByteArray encodeMemories(ExportFormat format, const QList<Memory>& memories, QStringList* leftOut)
{
    QByteArray out;
    auto encoder = RecordEncoder::create(format);
    encoder->begin(out);
    for (const Memory& m : memories) {
        // missing content is not empty content: left out, as an export does
        if (m.flags & MemoryFlag::MissingContent) {
            if (leftOut)
                leftOut->append(m.id);
            continue;
        }
        encoder->record(out, m);
    }
    encoder->end(out);
    return out;
}

BatchReader::BatchReader(PersistenceBackend& backend, ExportSource source, int batchSize)
    : m_backend(backend)
    , m_source(std::move(source))
    , m_batchSize(qMax(1, batchSize))
{
}

qint64 BatchReader::expected()
{
    if (!m_source.ids.isEmpty())
        return m_source.ids.size();
    if (!m_source.ranges.isEmpty()) {
        qint64 n = 0;
        for (const auto& [first, count] : std::as_const(m_source.ranges))
            n += count;
        return n;
    }
    return m_backend.count(m_source.query.filter);
}

bool BatchReader::next(QList<Memory>* memories, QList<RecordIssue>* issues)
{
    memories->clear();
    if (m_done)
        return false;
    if (!m_source.ids.isEmpty()) {
        if (m_idPos >= m_source.ids.size()) {
            m_done = true;
            return false;
        }
        const QStringList chunk = m_source.ids.mid(m_idPos, m_batchSize);
        m_idPos += chunk.size();
        *memories = m_backend.getBatch(chunk, issues);
        return true;
    }
    if (m_source.ranges.isEmpty()) {
        // the whole query: pages with content, one query per batch
        if (!m_started) {
            m_started = true;
            MemoryQuery q = m_source.query;
            q.after.reset();
            q.fromEnd = false;
            q.skip = 0;
            q.withContent = true;
            q.limit = m_batchSize;
            m_cursor = q;
        }
        if (!m_cursor) {
            m_done = true;
            return false;
        }
        Page page = m_backend.query(*m_cursor);
        *memories = std::move(page.memories);
        if (issues)
            issues->append(page.issues);
        if (page.next)
            m_cursor->after = page.next;
        else
            m_cursor.reset();
        return true;
    }
    // rows of the query: ids from metadata pages (the first seek by offset, then by cursor), memories by getBatch
    while (m_rangeLeft <= 0) {
        if (m_started)
            ++m_range;
        m_started = true;
        if (m_range >= m_source.ranges.size()) {
            m_done = true;
            return false;
        }
        MemoryQuery q = m_source.query;
        q.after.reset();
        q.fromEnd = false;
        q.withContent = false;
        q.skip = m_source.ranges[m_range].first;
        m_rangeLeft = m_source.ranges[m_range].second;
        m_cursor = q;
    }
    m_cursor->limit = int(qMin<qint64>(m_batchSize, m_rangeLeft));
    const Page page = m_backend.query(*m_cursor);
    QStringList ids;
    for (const Memory& m : page.memories)
        ids << m.id;
    if (issues)
        issues->append(page.issues);
    m_rangeLeft = page.next && !page.memories.isEmpty() ? m_rangeLeft - page.memories.size() : 0;
    m_cursor->after = page.next;
    m_cursor->skip = 0;
    *memories = m_backend.getBatch(ids, issues);
    return true;
}

Exporter::Exporter(PersistenceBackend& backend, ExportFormat format, int batchSize)
    : m_backend(backend)
    , m_format(format)
    , m_batchSize(batchSize)
{
}

ExportReport Exporter::run(const MemoryFilter& filter, QIODevice& out, const Progress& progress)
{
    ExportSource source;
    source.query.filter = filter;
    return run(source, out, progress);
}

ExportReport Exporter::run(const ExportSource& source, QIODevice& out, const Progress& progress)
{
    ExportReport report;
    // one read transaction from the count to the store issues: every memory as of one commit
    const ReadSnapshot snapshot(m_backend);
    BatchReader reader(m_backend, source, m_batchSize);
    report.expected = reader.expected();
    auto encoder = RecordEncoder::create(m_format);
    QByteArray buffer;
    buffer.reserve(4 << 20);
    DeviceWriter writer(out);
    auto flush = [&] {
        writer.write(buffer); // shared with the writer thread: the next batch gets a buffer of its own
        buffer = QByteArray();
        buffer.reserve(1 << 20);
    };
    encoder->begin(buffer);
    QSet<QString> found;
    bool cancelled = false;
    auto take = [&](const QList<Memory>& batch) {
        for (const Memory& memory : batch) {
            if (!source.ids.isEmpty())
                found.insert(memory.id);
            if (memory.flags & MemoryFlag::Locked) {
                // only the id of an encrypted memory is known without its key
                report.skipped.append(
                    RecordIssue {memory.id, u"encrypted, and "_s + Encryption::missingKeyReason(), true});
                continue;
            }
            if (memory.flags & MemoryFlag::MissingContent) {
                report.skipped.append(RecordIssue {memory.id, missingContentReason(), true});
                continue;
            }
            encoder->record(buffer, memory);
            ++report.written;
        }
        flush();
        if (progress && !progress(report.written, report.expected))
            cancelled = true;
        return !cancelled;
    };
    auto takeIssues = [&](const QList<RecordIssue>& issues) {
        for (const RecordIssue& issue : issues)
            (issue.unreadable ? report.skipped : report.warnings).append(issue);
    };
    auto takeLines = [&](const QByteArray& lines, qint64 count, QList<RecordIssue>& issues) {
        takeIssues(issues);
        if (m_format == ExportFormat::JsonLines && buffer.isEmpty()) {
            // already the file's bytes: written as they are, without a copy into the buffer
            writer.write(lines);
        } else {
            encoder->records(buffer, lines, flush);
            flush();
        }
        report.written += count;
        if (progress && !progress(report.written, report.expected))
            cancelled = true;
        return !cancelled;
    };
    MemoryQuery whole = source.query;
    whole.withContent = true;
    if (source.ids.isEmpty() && source.ranges.isEmpty() && encoder->takesJsonLines()
        && m_backend.scanJsonLines(whole, takeLines, m_batchSize)) {
        // written by the backend from its own rows (SQLite: UTF-8 columns straight into the lines)
    } else if (source.ids.isEmpty() && source.ranges.isEmpty()) {
        // the whole query: streamed by the backend in one pass where it can
        MemoryQuery q = source.query;
        q.withContent = true;
        m_backend.scan(
            q,
            [&](QList<Memory>& memories, QList<RecordIssue>& issues) {
                takeIssues(issues);
                return take(memories);
            },
            m_batchSize);
    } else {
        QList<Memory> batch;
        QList<RecordIssue> issues;
        while (!cancelled && reader.next(&batch, &issues)) {
            takeIssues(issues);
            issues.clear();
            take(batch);
        }
    }
    if (cancelled) {
        report.cancelled = true;
        return report;
    }
    encoder->end(buffer);
    flush();
    writer.finish();
    if (source.ids.isEmpty()) {
        for (const RecordIssue& issue : m_backend.storeIssues())
            (issue.unreadable ? report.skipped : report.storeIssues).append(issue);
    } else {
        // ids that do not exist are named, so "N of M written" adds up
        QSet<QString> reported;
        for (const RecordIssue& issue : std::as_const(report.skipped))
            reported.insert(issue.id);
        for (const QString& id : source.ids) {
            if (!found.contains(id) && !reported.contains(id)) {
                report.skipped.append(RecordIssue {id, u"no memory with this id"_s, false});
                reported.insert(id);
            }
        }
    }
    return report;
}

} // namespace Inspector
