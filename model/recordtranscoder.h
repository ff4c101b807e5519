// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>

#include <array>
#include <functional>
#include <utility>
#include <vector>

namespace Inspector {

/**
 * Writes the CSV, Markdown and subcog formats from the inspector's full-fidelity JSON lines (appendJsonLine) rather
 * than from Memory objects, so a backend's direct lines (PersistenceBackend::scanJsonLines) go to every format
 * without a QString per field: strings are unescaped from the line's UTF-8 straight into the output, once. Gives
 * the same bytes as the Memory encoders (tst_transfers compares them on every anomaly).
 *
 * Output goes to `out`; at points where a record may be cut, `spill` (when set) is called once `out` holds more
 * than kChunk bytes, so a memory of any size is written through in chunks instead of a second copy of it.
 */
class RecordTranscoder
{
public:
    static constexpr qsizetype kChunk = 1 << 20;
    using Spill = std::function<void()>;

    enum Field
    {
        Id,
        Content,
        Namespace,
        Domain,
        ProjectId,
        Branch,
        FilePath,
        Status,
        CreatedAt,
        UpdatedAt,
        TombstonedAt,
        ExpiresAt,
        Tags,
        Source,
        IsSummary,
        SourceMemoryIds,
        ConsolidationTimestamp,
        GroupId,
        FieldCount
    };
    /// Each field's JSON value as written in the line (a string with its quotes, a number, an array, `null`).
    using Values = std::array<QByteArrayView, FieldCount>;

    /// Splits one line (without its newline) into its values; false when it is not such an object.
    static bool split(QByteArrayView line, Values& values);

    /// Appends every record of `jsonLines` (lines ending in '\n') in one format.
    void csv(QByteArray& out, QByteArrayView jsonLines, const Spill& spill);
    void markdown(QByteArray& out, QByteArrayView jsonLines, const Spill& spill);
    void subcog(QByteArray& out, QByteArrayView jsonLines, const Spill& spill);

private:
    using Canonical = std::vector<std::pair<QByteArray, QByteArray>>;
    static constexpr qsizetype kTimeRoom = 64;

    template<typename Out>
    void csvRecord(Out& out, const Values& v);
    template<typename Out>
    void markdownRecord(Out& out, const Values& v);
    template<typename Out>
    void subcogRecord(Out& out, const Values& v);
    /// A cell of the tabular formats (MemoryFields::rawValue as text) decoded into m_cell.
    void cellText(const Values& v, int field);
    /// MemoryFields::formatTime's text into `text` (kTimeRoom bytes); returns its length.
    qsizetype localTime(char* text, qint64 seconds);
    /// subcog: the canonical JSON string of a stored namespace or status.
    const QByteArray& canonical(Canonical& cache, const Values& v, int field);
    template<typename F>
    void eachLine(QByteArrayView jsonLines, F&& record);

    QByteArray m_cell; ///< reused: one cell's text
    Canonical m_namespaces; ///< subcog: stored namespaces' JSON and the canonical ones'
    Canonical m_statuses; ///< the same for statuses
    QHash<qint64, int> m_dayOffsets; ///< the local UTC offset of each UTC day that has one offset all day
};

} // namespace Inspector
