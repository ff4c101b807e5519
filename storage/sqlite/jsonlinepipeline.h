// SPDX-License-Identifier: MIT
// The JSON lines of a scan written on a second thread while the scan's own thread steps SQLite.
#pragma once

#include "persistencebackend.h"

#include <QByteArray>
#include <QList>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace Inspector::SqliteInternal {

/**
 * The scan's thread (the connection's) reads and checks each row and copies its cells into a block
 * (capturePlainCells); a thread of this pipeline writes the blocks' lines (appendPlainLine), in order. The sink
 * is called on the scan's thread only, with the batches in order, so the caller sees what it saw before: the
 * lines, their count and the batch's issues. At most kInFlight blocks are read but not yet handed to the sink,
 * so memory stays bounded. Everything comes from the one statement, so the lines are one snapshot.
 */
class JsonLinePipeline
{
public:
    /// One row's line: a capture in the block's arena, a line written already (a large memory, or a row the
    /// general decoder read), or nothing (a row left out; its issue is in the block).
    struct Line
    {
        qsizetype capture = -1; ///< where the row's cells begin in the arena
        QByteArray ready;
    };
    struct Block
    {
        QByteArray arena;
        QList<Line> lines;
        QList<RecordIssue> issues;
        bool isEmpty() const { return lines.isEmpty() && issues.isEmpty(); }
    };
    /// A line at least this long goes to the sink on its own, shared rather than copied.
    static constexpr qsizetype kLargeLine = 1 << 20;

    explicit JsonLinePipeline(const PersistenceBackend::JsonLinesSink& sink);
    ~JsonLinePipeline();
    JsonLinePipeline(const JsonLinePipeline&) = delete;
    JsonLinePipeline& operator=(const JsonLinePipeline&) = delete;

    /// Hands a block on and gives the sink what is done (waiting while kInFlight blocks are); false once the sink
    /// said stop. Rethrows what the writing thread or the sink threw.
    bool push(Block&& block);
    /// Waits for every block and gives it to the sink; false when the sink said stop.
    bool finish();

private:
    struct Done
    {
        QByteArray lines;
        qint64 count = 0;
        QList<RecordIssue> issues;
        bool lastOfBlock = false; ///< the block's last batch: one block less outstanding
    };
    static constexpr int kInFlight = 3;

    void run();
    void write(Block& block);
    /// Gives the sink the finished batches, waiting for more until at most `keepOutstanding` blocks are left.
    bool drain(int keepOutstanding);
    void stop();

    const PersistenceBackend::JsonLinesSink& m_sink;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Block> m_todo;
    std::deque<Done> m_done;
    std::exception_ptr m_error;
    int m_outstanding = 0; ///< blocks pushed whose last batch the sink has not had yet (scan's thread only)
    bool m_closed = false;
    bool m_stopped = false; ///< the sink said stop
    std::thread m_thread; ///< last: starts once the rest is constructed
};

} // namespace Inspector::SqliteInternal
