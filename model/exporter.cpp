// SPDX-License-Identifier: MIT
#include "exporter.h"

#include "jsonl.h"

using namespace Qt::StringLiterals;

namespace Inspector {

JsonlExporter::JsonlExporter(PersistenceBackend& backend, int pageSize)
    : m_backend(backend)
    , m_pageSize(pageSize)
{
}

ExportReport JsonlExporter::run(const MemoryFilter& filter, QIODevice& out, const Progress& progress)
{
    ExportReport report;
    report.expected = m_backend.count(filter);
    MemoryQuery query;
    query.filter = filter;
    query.limit = m_pageSize;
    QByteArray buffer;
    for (;;) {
        Page page = m_backend.query(query);
        buffer.clear();
        qint64 written = 0;
        for (const Memory& memory : std::as_const(page.memories)) {
            if (memory.flags & MemoryFlag::Locked) {
                // only the id of an encrypted memory is known without its key
                report.skipped.append(
                    RecordIssue {memory.id, u"encrypted, and no key was given (SUBCOG_ENCRYPTION_KEY)"_s});
                continue;
            }
            appendJsonLine(buffer, memory);
            ++written;
        }
        if (out.write(buffer) != buffer.size())
            throw StorageError(StorageError::Kind::OperationFailed,
                               u"writing the export failed: "_s + out.errorString());
        report.written += written;
        report.skipped.append(page.issues);
        if (progress && !progress(report.written, report.expected)) {
            report.cancelled = true;
            return report;
        }
        if (!page.next)
            break;
        query.after = page.next;
    }
    for (const RecordIssue& issue : m_backend.storeIssues())
        (issue.unreadable ? report.skipped : report.storeIssues).append(issue);
    return report;
}

} // namespace Inspector
